"""Session-window aggregation: merge every session within the gap of a record into one.

Why apart: sessions are keyed by their own bounds, which move as records arrive, so a
record may merge several sessions (the merged-away ones are deleted downstream) and EMIT
FINAL closes sessions by their end, not their start. ``SessionWindowStrategy`` is the
window strategy ``aggregate.Aggregator`` runs session-windowed queries through; it reaches
the operator only through the small ``SessionHost`` interface below, and imports nothing
from ``aggregate``.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

from .aggregate_state import Group, Task


class SessionHost(Protocol):
    """What a session strategy needs from the operator that owns the state and the output."""

    def task(self, rec) -> Task:
        """The task (state and stream time) a record belongs to."""

    def group_key(self, row) -> Optional[tuple]:
        """(hashable key, key values), or None when a key value is null."""

    def values(self, row) -> list:
        """Each aggregate's argument values for ``row``."""

    def accumulate(self, accs: list, values: list) -> None:
        """Add one row's ``values`` into ``accs`` in place."""

    def count_null_key(self) -> None:
        """Note a row dropped for a null group key."""

    def count_late(self) -> None:
        """Note a row dropped for arriving after its window closed."""

    def emit(self, window, g: Group, rec, out: list) -> None:
        """Append the output row of group ``g`` in ``window`` (HAVING applied)."""

    def tombstone(self, window, g: Group, rec, out: list) -> None:
        """Append the deletion of a window's row that went out earlier."""


class SessionWindowStrategy:
    """Kafka Streams' KStreamSessionWindowAggregate over the host's per-task state: the
    sessions of a key that a record touches are merged (accumulators through the
    aggregates' ``merge``) into one session spanning them and the record."""

    def __init__(self, opts: Any, host: SessionHost):
        self.o = opts
        self.windows = opts.windows           # runtime.windows.SessionWindows
        self.host = host

    def process(self, items, out: list) -> None:
        """A batch of (row, is_delete, record) into the sessions."""
        for row, deleted, rec in items:
            self.record(row, deleted, rec, out)

    def record(self, row, deleted, rec, out: list) -> None:
        """One stream record into its key's sessions."""
        o, host = self.o, self.host
        if deleted or (o.where is not None and o.where(row) is not True):
            return
        k = host.group_key(row)
        if k is None:
            host.count_null_key()
            return
        gkey, key = k
        values = host.values(row)
        ts = row[o.ts_slot]
        t = host.task(rec)
        if t.stream_time is None or ts > t.stream_time:
            t.stream_time = ts
        sw = self.windows
        mine = [w for w, groups in t.state.items() if gkey in groups]
        parts = sw.overlapping(mine, ts)
        merged = sw.merged(parts, ts)
        if not sw.is_open(merged[1], t.stream_time):
            host.count_late()
            return
        g = t.state.setdefault(merged, {})[gkey] = self._merge(t, parts, merged, gkey, key,
                                                                 ts, rec, out)
        host.accumulate(g.accs, values)
        if o.emit_final:
            self.emit_final(t, out)
        else:
            host.emit(merged, g, rec, out)

    def _merge(self, t: Task, parts, merged, gkey, key, ts, rec, out: list) -> Group:
        """The sessions ``parts`` of ``gkey`` taken out of the state and folded into one
        group; a merged-away session whose row went out is deleted downstream."""
        aggs = self.o.aggs
        accs = [a.fn.initialize() for a in aggs]
        gts = ts
        for w in parts:
            g = t.state[w].pop(gkey)
            if not t.state[w]:
                del t.state[w]
            accs = [a.fn.merge(x, y) for a, x, y in zip(aggs, accs, g.accs)]
            gts = max(gts, g.ts)
            if g.emitted and w != merged and not self.o.emit_final:
                self.host.tombstone(w, g, rec, out)
        return Group(key, accs, gts)

    def emit_final(self, t: Task, out: list) -> None:
        """Sessions whose end falls in the newly closed range [last close, close) go out."""
        sw = self.windows
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
                    self.host.emit(win, g, None, out)
        t.last_close = close
