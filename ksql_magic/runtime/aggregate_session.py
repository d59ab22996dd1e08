"""Session-window aggregation: merge every session within the gap of a record into one.

Why apart: sessions are keyed by their own bounds, which move as records arrive, so a
record may merge several sessions (the merged-away ones are deleted downstream) and EMIT
FINAL closes sessions by their end, not their start. The operator is ``aggregate.Aggregator``.
"""

from __future__ import annotations


def session_record(agg, row, deleted, rec, out) -> None:
    """One stream record into its key's sessions (Kafka Streams' KStreamSessionWindowAggregate)."""
    o = agg.o
    if deleted or (o.where is not None and o.where(row) is not True):
        return
    k = agg.group_key(row)
    if k is None:
        agg.null_key_dropped += 1
        return
    gkey, key = k
    values = agg.values(row)
    ts = row[o.ts_slot]
    t = agg.task(rec)
    if t.stream_time is None or ts > t.stream_time:
        t.stream_time = ts
    sw = o.windows
    mine = [w for w, groups in t.state.items() if gkey in groups]
    parts = sw.overlapping(mine, ts)
    merged = sw.merged(parts, ts)
    if not sw.is_open(merged[1], t.stream_time):
        agg.late_dropped += 1
        return
    aggs = o.aggs
    accs = [a.fn.initialize() for a in aggs]
    gts = ts
    for w in parts:
        g = t.state[w].pop(gkey)
        if not t.state[w]:
            del t.state[w]
        accs = [a.fn.merge(x, y) for a, x, y in zip(aggs, accs, g.accs)]
        gts = max(gts, g.ts)
        if g.emitted and w != merged and not o.emit_final:
            agg.tombstone(w, g, rec, out)
    from .aggregate import Group
    g = t.state.setdefault(merged, {})[gkey] = Group(key, accs, gts)
    for i, (fn, _) in enumerate(agg._value_fns):
        accs[i] = fn(accs[i], *values[i])
    if o.emit_final:
        _emit_final(agg, t, out)
    else:
        agg._output(merged, g, rec, out)


def _emit_final(agg, t, out) -> None:
    """Sessions whose end falls in the newly closed range [last close, close) go out."""
    sw = agg.o.windows
    close = t.stream_time - sw.grace
    last = t.last_close
    if last is not None and last >= close:
        return
    lower, upper = max(0, -1 if last is None else last), close - 1
    if upper < lower:
        return
    for win in sorted(w for w in t.state if w[1] <= upper):
        groups = t.state.pop(win)
        if win[1] >= lower:
            for g in groups.values():
                agg._output(win, g, None, out)
    t.last_close = close
