"""The aggregation operator: GROUP BY keys, windows, accumulators, HAVING, emission.

Why one operator: ksqlDB's groupBy -> aggregate -> (suppress) -> filter -> select chain only
ever runs together, so it is fused here and works on plain lists. State is laid out
``window -> group key -> Group`` so closed windows are evicted by window, not by scanning
every key. The post-aggregation row is ``group keys + aggregate results + [WINDOWSTART,
WINDOWEND]``; HAVING and the projection are compiled over that layout by the planner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .sink import Emit


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


class Group:
    """One group's accumulators, its output timestamp and whether a row is out for it."""
    __slots__ = ("accs", "ts", "emitted")

    def __init__(self, accs: list, ts: int):
        self.accs = accs
        self.ts = ts
        self.emitted = False


class Aggregator:
    """Runs ``AggOptions`` over batches of (row, is_delete, record) and returns emits."""

    def __init__(self, opts: AggOptions):
        self.o = opts
        self.state: dict[Any, dict[tuple, Group]] = {}
        self.prev: dict[tuple, tuple] = {}       # table source: key -> (gkey, values)
        self.stream_time: Optional[int] = None
        self.late_dropped = 0
        self.null_key_dropped = 0
        self._dirty: dict = {}                   # record cache: (window, gkey) -> (group, record)
        self._sessions = opts.windows is not None and hasattr(opts.windows, "gap")

    # -- public -----------------------------------------------------------------------------
    def process(self, input_index: int, items: list) -> list[Emit]:
        out: list = []
        step = self._table_record if self.o.table_keys else self._stream_record
        for row, deleted, rec in items:
            step(row, deleted, rec, out)
        if self.o.emit_final:
            out = self._close_windows(out)
        elif self.o.cache:
            out = self._flush_cache(out)
        if self.o.windows is not None:
            self._evict()
        return [e for _, e in out]

    def state_size(self) -> int:
        """Number of live groups (window x key): the measure of memory in tests."""
        return sum(len(g) for g in self.state.values()) + len(self.prev)

    # -- per record -------------------------------------------------------------------------
    def _stream_record(self, row, deleted, rec, out) -> None:
        o = self.o
        if deleted or (o.where is not None and o.where(row) is not True):
            return
        gkey = tuple([f(row) for f in o.key_fns])
        if None in gkey:
            self.null_key_dropped += 1
            return
        values = [[f(row) for f in a.args] for a in o.aggs]
        ts = row[o.ts_slot]
        if o.windows is None:
            self._add(None, gkey, values, ts, rec, out, 1)
            return
        st = self.stream_time
        if st is None or ts > st:
            self.stream_time = st = ts
        if self._sessions:
            self._session_add(gkey, values, ts, rec, out)
            return
        is_open = o.windows.is_open
        for w in o.windows.assign(ts):
            if is_open(w[1], st):
                self._add(w, gkey, values, ts, rec, out, 1)
            else:
                self.late_dropped += 1

    def _table_record(self, row, deleted, rec, out) -> None:
        """A table row replaces its previous version: undo the old contribution, add the new."""
        o = self.o
        skey = tuple(row[:o.table_keys])
        ts = row[o.ts_slot]
        old = self.prev.pop(skey, None)
        gkey = None
        if not deleted and (o.where is None or o.where(row) is True):
            gkey = tuple([f(row) for f in o.key_fns])
            if None in gkey:
                gkey = None
        if old is not None:
            # Same group: one change record (undo and add together), as Kafka Streams sends it.
            self._add(None, old[0], old[1], ts, rec, None if old[0] == gkey else out, -1)
        if gkey is None:
            return
        values = [[f(row) for f in a.args] for a in o.aggs]
        self.prev[skey] = (gkey, values)
        self._add(None, gkey, values, ts, rec, out, 1)

    def _add(self, window, gkey, values, ts, rec, out, sign: int) -> None:
        groups = self.state.get(window)
        if groups is None:
            groups = self.state[window] = {}
        g = groups.get(gkey)
        aggs = self.o.aggs
        if g is None:
            g = groups[gkey] = Group([a.fn.initialize() for a in aggs], ts)
        elif ts > g.ts:
            g.ts = ts
        accs = g.accs
        if sign > 0:
            for i, a in enumerate(aggs):
                accs[i] = a.fn.aggregate(accs[i], *values[i])
        else:
            for i, a in enumerate(aggs):
                if a.fn.supports_undo:
                    accs[i] = a.fn.undo(accs[i], *values[i])
        if self.o.emit_final or out is None:
            return
        if self.o.cache:
            dirty = self._dirty
            k = (window, gkey)
            if k in dirty:
                del dirty[k]
            dirty[k] = (g, rec)
        else:
            self._output(window, gkey, g, rec, out)

    def _session_add(self, gkey, values, ts, rec, out) -> None:
        """Merge every session within ``gap`` of ``ts`` into one; the merged parts are deleted."""
        sw = self.o.windows
        mine = [w for w, groups in self.state.items() if gkey in groups]
        parts = sw.overlapping(mine, ts)
        merged = sw.merged(parts, ts)
        if not sw.is_open(merged[1], self.stream_time):
            self.late_dropped += 1
            return
        aggs = self.o.aggs
        accs = [a.fn.initialize() for a in aggs]
        gts = ts
        for w in parts:
            g = self.state[w].pop(gkey)
            if not self.state[w]:
                del self.state[w]
            accs = [a.fn.merge(x, y) for a, x, y in zip(aggs, accs, g.accs)]
            gts = max(gts, g.ts)
            if g.emitted and w != merged and not self.o.emit_final:
                out.append(((gkey, w), Emit(self._key_of(gkey, w), None, g.ts, rec.seq, w)))
        groups = self.state.setdefault(merged, {})
        g = groups[gkey] = Group(accs, gts)
        for i, a in enumerate(aggs):
            accs[i] = a.fn.aggregate(accs[i], *values[i])
        if not self.o.emit_final:
            self._output(merged, gkey, g, rec, out)

    # -- output -------------------------------------------------------------------------------
    def _row(self, window, gkey, g: Group) -> list:
        row = list(gkey)
        row.extend([a.fn.result(acc) for a, acc in zip(self.o.aggs, g.accs)])
        if window is not None:
            row.append(window[0])
            row.append(window[1])
        return row

    def _key_of(self, gkey, window) -> list:
        row = list(gkey) + [None] * len(self.o.aggs)
        if window is not None:
            row += [window[0], window[1]]
        return [f(row) for f in self.o.key_proj]

    def _output(self, window, gkey, g: Group, rec, out) -> None:
        o = self.o
        row = self._row(window, gkey, g)
        key = [f(row) for f in o.key_proj]
        seq = rec.seq if rec is not None else ()
        if o.having is not None and o.having(row) is not True:
            if g.emitted:
                g.emitted = False
                out.append(((gkey, window), Emit(key, None, g.ts, seq, window)))
            return
        g.emitted = True
        out.append(((gkey, window), Emit(key, [f(row) for f in o.value_proj], g.ts, seq, window)))

    def _flush_cache(self, out) -> list:
        """The record cache: one row per updated group per batch, in last-update order."""
        for (window, gkey), (g, rec) in self._dirty.items():
            self._output(window, gkey, g, rec, out)
        self._dirty = {}
        return _coalesce(out) if out else out

    def _close_windows(self, out) -> list:
        """EMIT FINAL: one row per window once stream time reaches its end + grace."""
        st = self.stream_time
        if st is None:
            return out
        w = self.o.windows
        closed = sorted(win for win in self.state if win is not None and win[1] + w.grace <= st)
        for win in closed:
            for gkey, g in self.state.pop(win).items():
                self._output(win, gkey, g, None, out)
        return out

    def _evict(self) -> None:
        st = self.stream_time
        if st is None:
            return
        keep = self.o.windows.keep_until
        for win in [w for w in self.state if keep(w[1]) < st]:
            del self.state[win]


def _coalesce(out: list) -> list:
    """The record cache: only the last update of each key in a batch goes out."""
    last: dict = {}
    for k, e in out:
        last.pop(k, None)
        last[k] = e
    return list(last.items())
