"""The aggregation operator: GROUP BY keys, windows, accumulators, HAVING, emission.

Why one operator: ksqlDB's groupBy -> aggregate -> (suppress) -> filter -> select chain only
ever runs together, so it is fused here and works on plain lists. State is split per
*task* (Kafka Streams' unit: one input partition, or one repartition partition), each with
its own stream time, and laid out ``window -> group key -> Group`` so closed windows are
evicted by window, not by scanning every key. The post-aggregation row is ``group keys +
aggregate results + [WINDOWSTART, WINDOWEND]``; HAVING and the projection are compiled over
that layout by the planner. Session windows are a strategy object
(``aggregate_session.SessionWindowStrategy``) called through its ``SessionHost`` interface;
the state types live in ``aggregate_state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from .guard import each_record
from .aggregate_batch import flush_kernel, hopping_cached_batch
from .aggregate_session import SessionWindowStrategy
from .aggregate_state import Group, Task, freeze
from .sink import Emit
from .state_codec import StateFormatError, expect, is_int, opt_int, to_data


@dataclass
class AggSpec:
    """One aggregate call: the resolved function and its value-argument extractors."""
    fn: Any
    args: list[Callable[[list], Any]]


@dataclass
class AggOptions:
    key_fns: list[Callable[[list], Any]]
    aggs: list[AggSpec]
    key_proj: list[Callable[[list], Any]]
    value_proj: list[Callable[[list], Any]]
    ts_slot: int
    where: Optional[Callable[[list], Any]] = None
    having: Optional[Callable[[list], Any]] = None
    windows: Any = None                       # runtime.windows.TimeWindows | SessionWindows
    table_keys: int = 0                        # >0: the source is a table with that many keys
    cache: bool = False                        # coalesce per key per batch (record cache)
    emit_final: bool = False
    freeze_keys: bool = False                  # group keys hold structs/lists: hash a frozen copy
    by_source_partition: bool = False          # no repartition: the task is the input partition


class Aggregator:
    """Runs ``AggOptions`` over batches of (row, is_delete, record) and returns emits."""

    def __init__(self, opts: AggOptions):
        self.o = opts
        self.tasks: dict[int, Task] = {}
        self.prev: dict[tuple, tuple] = {}       # table source: key -> (gkey, key, values)
        self.late_dropped = 0
        self.null_key_dropped = 0
        self._dirty: dict = {}                   # record cache: (task, window, gkey) -> (g, rec)
        self._sessions = opts.windows is not None and hasattr(opts.windows, "gap")
        self._session = SessionWindowStrategy(opts, self) if self._sessions else None
        self._value_fns = [(a.fn.aggregate, a.args) for a in opts.aggs]
        self._results = [a.fn.result for a in opts.aggs]
        w = opts.windows
        self._tumbling_cached = (w is not None and not self._sessions and w.advance == w.size
                                 and opts.cache and not opts.emit_final and not opts.table_keys)
        self._hopping_cached = (w is not None and not self._sessions and w.advance != w.size
                                and opts.cache and not opts.emit_final and not opts.table_keys)
        self._flush = flush_kernel(self) if opts.cache and not opts.emit_final else None

    # -- public -----------------------------------------------------------------------------
    def process(self, input_index: int, items: list) -> list[Emit]:
        out: list = []
        o = self.o
        if o.table_keys:
            each_record(items, lambda it: self._table_batch(it, out))
        elif o.windows is None:
            each_record(items, lambda it: self._stream_batch(it, out))
        elif self._tumbling_cached:
            each_record(items, self._tumbling_cached_batch)
        elif self._hopping_cached:
            each_record(items, lambda it: hopping_cached_batch(self, it))   # keyed by window start
        elif self._sessions:
            each_record(items, lambda it: self._session.process(it, out))
        else:
            each_record(items, lambda it: self._windowed_batch(it, out))
        if o.cache and not o.emit_final:
            out = self._flush_cache(out)
        if o.windows is not None:
            self._evict()
        return out

    @property
    def stream_time(self) -> Optional[int]:
        """The highest stream time of any task (for display; closing is per task)."""
        times = [t.stream_time for t in self.tasks.values() if t.stream_time is not None]
        return max(times) if times else None

    def state_size(self) -> int:
        """Number of live groups (window x key): the measure of memory in tests."""
        return sum(len(g) for t in self.tasks.values() for g in t.state.values()) + len(self.prev)

    def snapshot_state(self) -> dict:
        """Everything a restart needs, as data (``state_codec``): per task its clocks and its
        groups by window, the table source's previous rows, the drop counters. Accumulators
        go through their function's ``acc_to_data``."""
        to_data = [a.fn.acc_to_data for a in self.o.aggs]
        tasks = [[n, t.stream_time, t.store_time, t.last_close,
                  [[w, [[gk, g.key, [f(x) for f, x in zip(to_data, g.accs)], g.ts, g.emitted]
                        for gk, g in groups.items()]]
                   for w, groups in t.state.items()]]
                 for n, t in self.tasks.items()]
        prev = [[sk, gk, key, values] for sk, (gk, key, values) in self.prev.items()]
        return {"tasks": tasks, "prev": prev, "late": self.late_dropped,
                "null": self.null_key_dropped}

    def restore_state(self, obj: dict) -> None:
        """Check ``obj`` against the layout ``snapshot_state`` writes and install it."""
        expect(isinstance(obj, dict) and set(obj) == {"tasks", "prev", "late", "null"},
               "aggregate state needs tasks, prev, late, null")
        expect(is_int(obj["late"]) and is_int(obj["null"]), "drop counters are not integers")
        expect(isinstance(obj["tasks"], list) and isinstance(obj["prev"], list),
               "tasks and prev are not lists")
        tasks = {}
        for entry in obj["tasks"]:
            expect(isinstance(entry, list) and len(entry) == 5, "a task is not 5 fields")
            n, stream_time, store_time, last_close, windows = entry
            expect(is_int(n) and opt_int(stream_time) and is_int(store_time)
                   and opt_int(last_close), "a task's number or clocks are not integers")
            t = Task()
            t.stream_time, t.store_time, t.last_close = stream_time, store_time, last_close
            expect(isinstance(windows, list), "a task's windows are not a list")
            for pair in windows:
                expect(isinstance(pair, list) and len(pair) == 2, "a window entry is not a pair")
                t.state[self._window_of(pair[0])] = self._groups_of(pair[1])
            tasks[n] = t
        prev = {}
        for entry in obj["prev"]:
            expect(isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], tuple)
                   and isinstance(entry[2], tuple) and isinstance(entry[3], list)
                   and len(entry[3]) == len(self.o.aggs), "a previous table row is malformed")
            prev[entry[0]] = (_hashable(entry[1]), entry[2], entry[3])
        self.tasks, self.prev = tasks, prev
        self.late_dropped, self.null_key_dropped = obj["late"], obj["null"]

    def _window_of(self, w):
        """A restored window key: None (unwindowed), a start (tumbling and hopping cached paths,
        keyed by window start) or bounds."""
        w_ok = (w is None if self.o.windows is None else
                is_int(w) if (self._tumbling_cached or self._hopping_cached) else
                isinstance(w, tuple) and len(w) == 2 and all(is_int(x) for x in w))
        expect(w_ok, "a window key does not fit this query's windows")
        return w

    def _groups_of(self, data) -> dict:
        expect(isinstance(data, list), "a window's groups are not a list")
        nkeys, aggs = len(self.o.key_fns), self.o.aggs
        groups = {}
        for entry in data:
            expect(isinstance(entry, list) and len(entry) == 5, "a group is not 5 fields")
            gk, key, accs, ts, emitted = entry
            expect(isinstance(key, tuple) and len(key) == nkeys, "a group key has the wrong width")
            expect(isinstance(accs, list) and len(accs) == len(aggs),
                   "a group has the wrong number of accumulators")
            expect(is_int(ts) and emitted.__class__ is bool, "a group's time or flag is malformed")
            g = Group(key, [a.fn.acc_from_data(x) for a, x in zip(aggs, accs)], ts)
            g.emitted = emitted
            groups[_hashable(gk)] = g
        return groups

    def check_persistable(self) -> None:
        """``StateEncodeError`` when an aggregate's accumulator has no data encoding (a Python
        UDAF keeping an object): checked when a query with a changelog is created."""
        for a in self.o.aggs:
            to_data(a.fn.acc_to_data(a.fn.initialize()))

    # -- helpers ------------------------------------------------------------------------------
    def task(self, rec) -> Task:
        n = rec.partition if (self.o.by_source_partition and rec is not None) else 0
        t = self.tasks.get(n)
        if t is None:
            t = self.tasks[n] = Task()
        return t

    def group_key(self, row):
        """(hashable key, key values) or None when a key is null (the row is dropped)."""
        key = tuple([f(row) for f in self.o.key_fns])
        if None in key:
            return None
        return (freeze(key) if self.o.freeze_keys else key), key

    def values(self, row) -> list:
        return [[f(row) for f in args] for _, args in self._value_fns]

    # -- the SessionHost interface (aggregate_session) ---------------------------------------
    def accumulate(self, accs: list, values: list) -> None:
        """Add one row's argument ``values`` into ``accs`` in place."""
        for i, (fn, _) in enumerate(self._value_fns):
            accs[i] = fn(accs[i], *values[i])

    def count_null_key(self) -> None:
        self.null_key_dropped += 1

    def count_late(self) -> None:
        self.late_dropped += 1

    def emit(self, window, g: Group, rec, out) -> None:
        """The output row of ``g`` in ``window``, or its retraction when HAVING fails."""
        self._output(window, g, rec, out)

    # -- per record -------------------------------------------------------------------------
    def _table_batch(self, items, out) -> None:
        for row, deleted, rec in items:
            self._table_record(row, deleted, rec, out)

    def _stream_batch(self, items, out) -> None:
        """Unwindowed stream aggregation: one task (stream time does not matter here)."""
        where = self.o.where
        for row, deleted, rec in items:
            if deleted or (where is not None and where(row) is not True):
                continue
            k = self.group_key(row)
            if k is None:
                self.null_key_dropped += 1
                continue
            self._add(self.task(rec), None, k[0], k[1], self.values(row), row[self.o.ts_slot], rec, out, 1)

    def _windowed_batch(self, items, out) -> None:
        """Tumbling and hopping windows, record at a time; the hot loop of windowed queries."""
        o = self.o
        w = o.windows
        size, grace, tumbling = w.size, w.grace, w.advance == w.size
        where, ts_slot, key_fns, freeze_keys = o.where, o.ts_slot, o.key_fns, o.freeze_keys
        value_fns, final = self._value_fns, o.emit_final
        single_key = key_fns[0] if len(key_fns) == 1 and not freeze_keys else None
        fast = o.cache and not final
        dirty = self._dirty
        task0 = self.task(None) if not o.by_source_partition else None
        tasks = self.tasks
        # aggregates without arguments (COUNT(*)) share one empty argument list
        no_args = all(not args for _, args in value_fns)
        inits = [a.fn.initialize for a in o.aggs]
        empty = [()] * len(value_fns)
        for row, deleted, rec in items:
            if deleted or (where is not None and where(row) is not True):
                continue
            if single_key is not None:
                v = single_key(row)
                if v is None:
                    self.null_key_dropped += 1
                    continue
                gkey = key = (v,)
            else:
                k = self.group_key(row)
                if k is None:
                    self.null_key_dropped += 1
                    continue
                gkey, key = k
            values = empty if no_args else [[f(row) for f in args] for _, args in value_fns]
            ts = row[ts_slot]
            t = task0 or tasks.get(rec.partition) or self.task(rec)
            st = t.stream_time
            if st is None or ts > st:
                t.stream_time = st = ts
            close = st - grace
            if tumbling:
                start = ts - ts % size
                wins = ((start, start + size),)
            else:
                wins = w.assign(ts)
            for win in wins:
                if win[1] <= close:
                    self.late_dropped += 1
                    continue
                if win[0] > t.store_time:
                    t.store_time = win[0]
                if not fast:
                    self._add(t, win, gkey, key, values, ts, rec, out, 1)
                    continue
                # the cached case inlined: find or start the group, accumulate, mark dirty
                groups = t.state.get(win)
                if groups is None:
                    groups = t.state[win] = {}
                g = groups.get(gkey)
                if g is None:
                    g = groups[gkey] = Group(key, [init() for init in inits], ts)
                elif ts > g.ts:
                    g.ts = ts
                accs = g.accs
                i = 0
                for fn, _ in value_fns:
                    accs[i] = fn(accs[i], *values[i])
                    i += 1
                dk = (id(t), win, gkey)
                if dk in dirty:
                    del dirty[dk]
                dirty[dk] = (win, g, rec)
            if final:
                self._emit_final(t, out)

    def _tumbling_cached_batch(self, items) -> None:
        """Tumbling windows with the record cache on (ksqlDB's default): the hottest path,
        fully inlined. Group keys of one column are kept bare (no 1-tuple per record); dirty
        groups are tracked by identity and turned into rows once per batch."""
        o = self.o
        size, grace = o.windows.size, o.windows.grace
        where, ts_slot, key_fns, value_fns = o.where, o.ts_slot, o.key_fns, self._value_fns
        single = key_fns[0] if len(key_fns) == 1 and not o.freeze_keys else None
        no_args = all(not args for _, args in value_fns)
        empty = [()] * len(value_fns)
        inits = [a.fn.initialize for a in o.aggs]
        dirty, tasks = self._dirty, self.tasks
        task0 = self.task(None) if not o.by_source_partition else None
        for row, deleted, rec in items:
            if deleted or (where is not None and where(row) is not True):
                continue
            if single is not None:
                gkey = single(row)
                if gkey is None:
                    self.null_key_dropped += 1
                    continue
            else:
                k = self.group_key(row)
                if k is None:
                    self.null_key_dropped += 1
                    continue
                gkey = k[0]
            ts = row[ts_slot]
            t = task0 or tasks.get(rec.partition) or self.task(rec)
            st = t.stream_time
            if st is None or ts > st:
                t.stream_time = st = ts
            start = ts - ts % size
            if start + size <= st - grace:
                self.late_dropped += 1
                continue
            if start > t.store_time:
                t.store_time = start
            groups = t.state.get(start)
            if groups is None:
                groups = t.state[start] = {}
            g = groups.get(gkey)
            if g is None:
                key = (gkey,) if single is not None else k[1]
                g = groups[gkey] = Group(key, [init() for init in inits], ts)
            elif ts > g.ts:
                g.ts = ts
            values = empty if no_args else [[f(row) for f in args] for _, args in value_fns]
            accs = g.accs
            i = 0
            for fn, _ in value_fns:
                accs[i] = fn(accs[i], *values[i])
                i += 1
            gid = id(g)
            if gid in dirty:
                del dirty[gid]
            dirty[gid] = ((start, start + size), g, rec)

    def _table_record(self, row, deleted, rec, out) -> None:
        """A table row replaces its previous version: undo the old contribution, add the new."""
        o = self.o
        skey = tuple(freeze(v) for v in row[:o.table_keys])
        ts = row[o.ts_slot]
        t = self.task(None)
        old = self.prev.pop(skey, None)
        k = None
        if not deleted and (o.where is None or o.where(row) is True):
            k = self.group_key(row)
        if old is not None:
            # Same group: one change record (undo and add together), as Kafka Streams sends it.
            same = k is not None and old[0] == k[0]
            self._add(t, None, old[0], old[1], old[2], ts, rec, None if same else out, -1)
        if k is None:
            return
        values = self.values(row)
        self.prev[skey] = (k[0], k[1], values)
        self._add(t, None, k[0], k[1], values, ts, rec, out, 1)

    def _add(self, t: Task, window, gkey, key, values, ts, rec, out, sign: int) -> None:
        groups = t.state.get(window)
        if groups is None:
            groups = t.state[window] = {}
        g = groups.get(gkey)
        if g is None:
            g = groups[gkey] = Group(key, [a.fn.initialize() for a in self.o.aggs], ts)
        elif ts > g.ts:
            g.ts = ts
        accs = g.accs
        if sign > 0:
            i = 0
            for fn, _ in self._value_fns:
                accs[i] = fn(accs[i], *values[i])
                i += 1
        else:
            for i, a in enumerate(self.o.aggs):
                if a.fn.supports_undo:
                    accs[i] = a.fn.undo(accs[i], *values[i])
        if out is None or self.o.emit_final:
            return
        if self.o.cache:
            dirty = self._dirty
            k = (id(t), window, gkey)
            if k in dirty:
                del dirty[k]
            dirty[k] = (window, g, rec)
        else:
            self._output(window, g, rec, out)

    # -- output -------------------------------------------------------------------------------
    def row_of(self, window, g: Group) -> list:
        row = list(g.key)
        row.extend([a.fn.result(acc) for a, acc in zip(self.o.aggs, g.accs)])
        if window is not None:
            row.append(window[0])
            row.append(window[1])
        return row

    def key_of(self, key, window) -> list:
        row = list(key) + [None] * len(self.o.aggs)
        if window is not None:
            row += [window[0], window[1]]
        return [f(row) for f in self.o.key_proj]

    def _output(self, window, g: Group, rec, out) -> None:
        o = self.o
        row = [*g.key, *[r(acc) for r, acc in zip(self._results, g.accs)]]
        if window is not None:
            row.append(window[0])
            row.append(window[1])
        key = [f(row) for f in o.key_proj]
        seq = rec.seq if rec is not None else ()
        if o.having is not None and o.having(row) is not True:
            if g.emitted:
                g.emitted = False
                out.append(Emit(key, None, g.ts, seq, window))
            return
        g.emitted = True
        out.append(Emit(key, [f(row) for f in o.value_proj], g.ts, seq, window))

    def tombstone(self, window, g: Group, rec, out) -> None:
        """A merged-away session that had a row out is deleted downstream."""
        seq = rec.seq if rec is not None else ()
        out.append(Emit(self.key_of(g.key, window), None, g.ts, seq, window))

    def _flush_cache(self, out) -> list:
        """The record cache: one row per updated group per batch, in last-update order.
        Dirty entries are unique per group already; only earlier direct emits (session
        tombstones) need coalescing with them. The loop is ``_output`` inlined."""
        earlier = bool(out)
        append = out.append
        dirty = list(self._dirty.values())
        self._dirty.clear()
        if self._flush is not None:      # the generated kernel (aggregate_batch.flush_kernel)
            each_record(dirty, lambda it: self._flush(it, out))
        else:
            each_record(dirty, lambda it: self._flush_loop(it, append))
        return _coalesce(out) if earlier else out

    def _flush_loop(self, entries, append) -> None:
        """One row per dirty group; a group whose result or HAVING raises is skipped
        (reported against the record that last updated it) and the others still go out."""
        o = self.o
        results, key_proj, value_proj, having = self._results, o.key_proj, o.value_proj, o.having
        single_result = results[0] if len(results) == 1 else None
        for window, g, rec in entries:
            if single_result is not None:
                row = [*g.key, single_result(g.accs[0])]
            else:
                row = [*g.key, *[r(acc) for r, acc in zip(results, g.accs)]]
            if window is not None:
                row.append(window[0])
                row.append(window[1])
            seq = rec.seq if rec is not None else ()
            if having is not None and having(row) is not True:
                if g.emitted:
                    g.emitted = False
                    append(Emit([f(row) for f in key_proj], None, g.ts, seq, window))
                continue
            g.emitted = True
            append(Emit([f(row) for f in key_proj], [f(row) for f in value_proj], g.ts, seq, window))

    def _emit_final(self, t: Task, out) -> None:
        """EMIT FINAL as Kafka Streams' emit-on-window-close does it: when the close time
        (stream time - grace) advances past whole windows, emit every window whose *start*
        lies in the newly closed range and is still within the store's retention."""
        w = self.o.windows
        close = t.stream_time - w.grace
        last = t.last_close
        if last is not None and last >= close:
            return
        upper = close - w.size
        if upper < 0:
            return
        lower = 0 if last is None else max(0, last - w.size) + 1
        if last is not None and w.assign(upper) == w.assign(lower):
            return
        # The store forgets windows that started a retention period (size + grace) or more
        # before the newest window start it holds; those are never emitted.
        retention = max(w.retention or 0, w.size + w.grace)
        first = max(lower, t.store_time - retention)
        done = sorted(win for win in t.state if win[0] <= upper)
        for win in done:
            groups = t.state.pop(win)
            if win[0] >= first:
                for g in _sorted_groups(groups):
                    self._output(win, g, None, out)
        t.last_close = close

    def _evict(self) -> None:
        """Drop windows past retention (the cached tumbling and hopping paths key windows
        by start)."""
        keep = self.o.windows.keep_until
        size = self.o.windows.size if (self._tumbling_cached or self._hopping_cached) else 0
        for t in self.tasks.values():
            st = t.stream_time
            if st is None:
                continue
            if size:
                gone = [w for w in t.state if keep(w + size) < st]
            else:
                gone = [w for w in t.state if keep(w[1]) < st]
            for win in gone:
                del t.state[win]


def _hashable(v):
    try:
        hash(v)
    except TypeError:
        raise StateFormatError("a group key is not hashable") from None
    return v


def _sorted_groups(groups: dict) -> list:
    try:
        return [groups[k] for k in sorted(groups)]
    except TypeError:
        return list(groups.values())


def _coalesce(out: list) -> list:
    """The record cache: only the last update of each key (and window) in a batch goes out."""
    last: dict = {}
    for e in out:
        k = (freeze(e.key), e.window)
        last.pop(k, None)
        last[k] = e
    return list(last.values())
