"""Batch kernels for the aggregation operator: hopping windows with the record cache on, and
the cache flush as one generated loop.

Why separate: ``Aggregator`` keeps the per-record semantics (stream time per task, late
records per window, grace, HAVING tombstones); these functions run the same steps for a
whole batch with the per-window bookkeeping inlined. Hopping state is keyed by window start
(an int) as the tumbling fast path's is, so a record's five windows cost no tuple each, and
dirty groups are tracked by identity. The flush inlines the compiled key, value and HAVING
code (``ExprCompiler`` keeps each row function's source) instead of calling a lambda per
column per output.
"""

from __future__ import annotations

from typing import Callable, Optional

from .aggregate_state import Group
from .sink import Emit


def hopping_cached_batch(agg, items) -> None:
    """Hopping windows, record cache on, not EMIT FINAL, stream source: every record adds
    to each window containing it (Kafka's TimeWindows.windowsFor order), windows whose end
    is at or before stream time - grace are late (counted once per window)."""
    o = agg.o
    w = o.windows
    size, adv, grace = w.size, w.advance, w.grace
    where, ts_slot, key_fns, value_fns = o.where, o.ts_slot, o.key_fns, agg._value_fns
    single = key_fns[0] if len(key_fns) == 1 and not o.freeze_keys else None
    no_args = all(not args for _, args in value_fns)
    empty = [()] * len(value_fns)
    inits = [a.fn.initialize for a in o.aggs]
    dirty, tasks = agg._dirty, agg.tasks
    task0 = agg.task(None) if not o.by_source_partition else None
    late = 0
    for row, deleted, rec in items:
        if deleted or (where is not None and where(row) is not True):
            continue
        if single is not None:
            gkey = single(row)
            if gkey is None:
                agg.null_key_dropped += 1
                continue
            key = None
        else:
            k = agg.group_key(row)
            if k is None:
                agg.null_key_dropped += 1
                continue
            gkey, key = k
        ts = row[ts_slot]
        t = task0 or tasks.get(rec.partition) or agg.task(rec)
        st = t.stream_time
        if st is None or ts > st:
            t.stream_time = st = ts
        close = st - grace
        values = empty if no_args else [[f(row) for f in args] for _, args in value_fns]
        state = t.state
        start = max(0, ts - size + adv) // adv * adv
        while start <= ts:
            end = start + size
            if end <= close:
                late += 1
                start += adv
                continue
            if start > t.store_time:
                t.store_time = start
            groups = state.get(start)
            if groups is None:
                groups = state[start] = {}
            g = groups.get(gkey)
            if g is None:
                g = groups[gkey] = _group((gkey,) if key is None else key,
                                          [init() for init in inits], ts)
            elif ts > g.ts:
                g.ts = ts
            accs = g.accs
            i = 0
            for fn, _ in value_fns:
                accs[i] = fn(accs[i], *values[i])
                i += 1
            gid = id(g)
            if gid in dirty:
                del dirty[gid]
            dirty[gid] = ((start, end), g, rec)
            start += adv
    agg.late_dropped += late


def _group(key, accs, ts):
    return Group(key, accs, ts)


def flush_kernel(agg) -> Optional[Callable]:
    """``flush(entries, out)``: the record cache's flush (``Aggregator._flush_cache`` minus
    the coalescing) with HAVING and the projections inlined, or None when some projection
    has no source text. Emits exactly what the row loop emits, in the same order."""
    o = agg.o
    fns = list(o.key_proj) + list(o.value_proj) + ([o.having] if o.having is not None else [])
    owner = next((f for f in fns if hasattr(f, "ksql_ns")), None)
    if owner is None:
        return None
    base = owner.ksql_ns
    ns = dict(base)
    ns["Emit"] = Emit

    def code(i: int, f) -> str:
        if getattr(f, "ksql_ns", None) is base:
            return "(%s)" % f.ksql_code
        ns["_flush_f%d" % i] = f
        return "_flush_f%d(r)" % i

    codes = [code(i, f) for i, f in enumerate(fns)]
    nk, nv = len(o.key_proj), len(o.value_proj)
    keys, vals = ", ".join(codes[:nk]), ", ".join(codes[nk:nk + nv])
    results = []
    for i, a in enumerate(o.aggs):
        ns["_res%d" % i] = a.fn.result
        results.append("_res%d(accs[%d])" % (i, i))
    lines = ["def flush(entries, out):",
             "    append = out.append",
             "    for window, g, rec in entries:",
             "        accs = g.accs",
             "        r = [*g.key, %s]" % ", ".join(results) if results else "        r = [*g.key]",
             "        if window is not None:",
             "            r.append(window[0])",
             "            r.append(window[1])",
             "        seq = rec.seq if rec is not None else ()"]
    if o.having is not None:
        lines += ["        if %s is not True:" % codes[-1],
                  "            if g.emitted:",
                  "                g.emitted = False",
                  "                append(Emit([%s], None, g.ts, seq, window))" % keys,
                  "            continue"]
    lines += ["        g.emitted = True",
              "        append(Emit([%s], [%s], g.ts, seq, window))" % (keys, vals)]
    exec("\n".join(lines), ns)   # noqa: S102 - our own compiled expression code
    return ns["flush"]
