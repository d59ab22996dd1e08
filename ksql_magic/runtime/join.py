"""Join operators: stream-table lookup, windowed stream-stream, table-table on primary key.

Each operator gets rows of one input at a time (``process(input_index, items)``) in the
global record order and returns ``Emit`` objects. A joined row is the left row followed by
the right row; the missing side of an outer join is all NULLs. ``project(row)`` (built by the
planner) turns a joined row into (key, value) or None when the WHERE clause drops it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from typing import Callable, Optional

from .guard import each_record
from .sink import Emit
from .state_codec import StateFormatError, expect, is_int, opt_int


_SCALARS = (str, int, float, bool)
_emit = tuple.__new__                     # Emit(...) without NamedTuple's Python-level __new__


def _hashable(v):
    """A restored dict key or set member, checked (``StateFormatError`` if unhashable)."""
    try:
        hash(v)
    except TypeError:
        raise StateFormatError("a stored join key is not hashable") from None
    return v


def hashable(v):
    """A dict key for a join value (STRUCT, ARRAY and MAP values are not hashable)."""
    if isinstance(v, dict):
        return tuple((k, hashable(x)) for k, x in v.items())
    if isinstance(v, list):
        return tuple(hashable(x) for x in v)
    return v


class _Base:
    def __init__(self, kind: str, key_fns: tuple[Callable, Callable], widths: tuple[int, int],
                 ts_slots: tuple[int, int], project: Callable):
        self.kind = kind                  # INNER | LEFT | RIGHT | FULL
        self.key_fns = key_fns            # join expression of each side over its own row
        self.widths = widths
        self.ts_slots = ts_slots          # ROWTIME slot of each side in its own row
        self.project = project
        self.late_dropped = 0

    def joined(self, side: int, row: list, other: Optional[list]) -> list:
        other = other if other is not None else [None] * self.widths[1 - side]
        return row + other if side == 0 else other + row

    window_slots = None                   # ((start, end) slots of each side) for windowed sources

    def emit(self, out: list, jrow: list, ts: int, seq, key_value, window=None) -> None:
        kv = self.project(jrow, key_value)
        if kv is not None:
            out.append(Emit(kv[0], kv[1], ts, seq, window))

    def process(self, index: int, items: list) -> list:
        """Join a batch of one input's rows; a record that raises is skipped and reported
        (``guard.each_record``), the rows before and after it are joined as usual."""
        out: list = []
        each_record(items, lambda it: self._batch(index, it, out))
        return out

    def window_of(self, side: int, row: list):
        """The window of a windowed source's row (its key's bounds), or None."""
        ws = self.window_slots
        return (row[ws[side][0]], row[ws[side][1]]) if ws else None

    STATE: tuple = ()                     # attributes that make up the operator's state

    # Each operator writes its state as data (runtime.state_codec values) and checks what it
    # gets back before using it: the changelog it comes from is not trusted.
    def snapshot_state(self) -> dict:
        raise NotImplementedError

    def restore_state(self, obj) -> None:
        raise NotImplementedError

    def _restore_common(self, obj, keys: set) -> None:
        expect(isinstance(obj, dict) and set(obj) == keys | {"late"},
               "%s state needs %s" % (type(self).__name__, sorted(keys | {"late"})))
        expect(is_int(obj["late"]), "the late-record counter is not an integer")

    def _row(self, row, side: int) -> list:
        expect(isinstance(row, list) and len(row) == self.widths[side],
               "a stored row of side %d does not have %d columns" % (side, self.widths[side]))
        return row

    def _rows_by_key(self, pairs, side: int) -> dict:
        expect(isinstance(pairs, list), "stored rows are not a list")
        out = {}
        for pair in pairs:
            expect(isinstance(pair, list) and len(pair) == 2, "a stored row is not [key, row]")
            out[_hashable(pair[0])] = self._row(pair[1], side)
        return out

    def state_size(self) -> int:
        """Entries held (rows per key, both sides): the measure of memory in tests."""
        n = 0
        for name in self.STATE:
            v = getattr(self, name)
            for part in (v if isinstance(v, tuple) else (v,)):
                if isinstance(part, dict):
                    n += sum(len(x) if isinstance(x, (list, dict)) else 1 for x in part.values())
        return n

    def outer(self, side: int) -> bool:
        """Does a row of ``side`` without a match still produce output?"""
        return self.kind == "FULL" or (self.kind == "LEFT" and side == 0) or (self.kind == "RIGHT" and side == 1)


class StreamTableJoin(_Base):
    """Stream (input 0) looked up in the table's current state (input 1) at record time."""

    STATE = ("table",)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.table: dict = {}

    def snapshot_state(self) -> dict:
        return {"table": [[k, row] for k, row in self.table.items()], "late": self.late_dropped}

    def restore_state(self, obj) -> None:
        self._restore_common(obj, {"table"})
        self.table = self._rows_by_key(obj["table"], 1)
        self.late_dropped = obj["late"]

    def _batch(self, index: int, items, out: list) -> None:
        if index == 1:
            kf = self.key_fns[1]
            for row, deleted, rec in items:
                k = hashable(kf(row))
                if deleted:
                    self.table.pop(k, None)
                else:
                    self.table[k] = row
            return
        ts = self.ts_slots[0]
        append = out.append
        split = self._split()
        if split is not None:
            # the common enrichment: plain columns from both sides, no joined row built
            for row, match, k, rec in self._lookups(items):
                key, value = split(row, match, k)
                append(_emit(Emit, (key, value, row[ts], rec.seq, None)))
            return
        project = getattr(self.project, "fast", None) or self.project
        for row, match, k, rec in self._lookups(items):
            kv = project(row + match, k)
            if kv is not None:
                append(_emit(Emit, (kv[0], kv[1], row[ts], rec.seq, None)))

    def _lookups(self, items):
        """(stream row, table row or NULLs for LEFT, join key, record) for each stream record
        that joins: the table's state as it is when the record is processed."""
        kf, table = self.key_fns[0], self.table
        inner = self.kind == "INNER"
        nulls = [None] * self.widths[1]
        for row, deleted, rec in items:
            if deleted:
                continue
            k = kf(row)
            if k is None:
                continue
            match = table.get(k if k.__class__ in _SCALARS else hashable(k))
            if match is None:
                if inner:
                    continue
                match = nulls
            yield row, match, k, rec

    def _split(self):
        """The projector's two-sided form, built once (see ``_Projector.split``)."""
        if not hasattr(self, "_split_fn"):
            make = getattr(self.project, "split", None)
            self._split_fn = make(self.widths[0]) if make is not None else None
        return self._split_fn


class StreamStreamJoin(_Base):
    """Windowed join: rows match when ``other.ts`` is in ``[ts - before, ts + after]`` (from
    the left's view), as Kafka Streams' KStreamKStreamJoin does:

    - each side keeps a buffer of its rows (its window store) with its own observed time; a
      lookup never sees rows older than that time minus the retention (before + after + grace),
      so a late record still joins rows the other side retains but is not found itself;
    - with GRACE, an outer row without a match is held until its window closes (ts + after +
      grace < stream time over both sides) and then emitted, or emitted at once when its window
      is already past; without GRACE (legacy) it is emitted at once.
    State is bounded: buffers are purged as each side's time moves on.
    """

    STATE = ("buffers", "expiry", "side_time", "pending", "pending_n", "stream_time")
    LEGACY_GRACE = 24 * 3600 * 1000       # Kafka Streams' default grace when none is given

    def __init__(self, *a, before: int, after: int, grace: Optional[int], **kw):
        super().__init__(*a, **kw)
        self.before, self.after = before, after
        self.grace = grace if grace is not None else 0
        self.deferred = grace is not None
        self.retention = before + after + (grace if grace is not None else self.LEGACY_GRACE)
        self.buffers = ({}, {})           # side -> key -> ([ts...], [entry...]) sorted by ts
        self.side_time = [None, None]     # max timestamp each side's buffer has seen
        self.expiry = (deque(), deque())  # side -> (ts, key) in arrival order, for purging
        self.pending: list = []           # heap of (ts, n, side, entry): outer rows held back
        self.pending_n = 0
        self.stream_time = None

    def snapshot_state(self) -> dict:
        """Buffers, expiry queues, clocks and held outer rows. A held row is usually also in
        a buffer (its matched flag is shared), so entries are written once and referred to
        by number; a held row already purged from its buffer is written inline."""
        entries, number = [], {}
        buffers = []
        for buf in self.buffers:
            side = []
            for hk, (tss, ents) in buf.items():
                refs = []
                for e in ents:
                    number[id(e)] = len(entries)
                    refs.append(len(entries))
                    entries.append(e)
                side.append([hk, tss, refs])
            buffers.append(side)
        pending = [[ts, n, side, number.get(id(e), -1), None if id(e) in number else e]
                   for ts, n, side, e in self.pending]
        return {"entries": entries, "buffers": buffers,
                "expiry": [list(dq) for dq in self.expiry], "side_time": list(self.side_time),
                "pending": pending, "pending_n": self.pending_n, "stream_time": self.stream_time,
                "late": self.late_dropped}

    def restore_state(self, obj) -> None:
        self._restore_common(obj, {"entries", "buffers", "expiry", "side_time", "pending",
                                   "pending_n", "stream_time"})
        expect(isinstance(obj["entries"], list), "stream-stream entries are not a list")
        sides = [None] * len(obj["entries"])
        buffers = self._restore_buffers(obj["buffers"], obj["entries"], sides)
        expiry = obj["expiry"]
        expect(isinstance(expiry, list) and len(expiry) == 2 and all(
            isinstance(q, list) and all(isinstance(x, tuple) and len(x) == 2 and is_int(x[0])
                                        and _hashable(x[1]) is not None for x in q)
            for q in expiry), "the expiry queues are malformed")
        st = obj["side_time"]
        expect(isinstance(st, list) and len(st) == 2 and all(opt_int(x) for x in st)
               and opt_int(obj["stream_time"]) and is_int(obj["pending_n"]),
               "the join's clocks are not integers")
        pending = self._restore_pending(obj["pending"], obj["entries"], sides)
        self.buffers, self.expiry = buffers, (deque(expiry[0]), deque(expiry[1]))
        self.side_time, self.pending = st, pending
        self.pending_n, self.stream_time = obj["pending_n"], obj["stream_time"]
        self.late_dropped = obj["late"]

    def _entry(self, e, side: int) -> list:
        expect(isinstance(e, list) and len(e) == 6, "a buffered row is not 6 fields")
        row, matched, ts, seq, _k, win = e
        self._row(row, side)
        expect(matched.__class__ is bool and is_int(ts) and isinstance(seq, tuple)
               and (win is None or (isinstance(win, tuple) and len(win) == 2
                                    and all(is_int(x) for x in win))),
               "a buffered row's flag, time, order or window is malformed")
        return e

    def _restore_buffers(self, data, entries: list, sides: list) -> tuple:
        expect(isinstance(data, list) and len(data) == 2, "the join buffers are not two sides")
        out = ({}, {})
        for side in (0, 1):
            expect(isinstance(data[side], list), "a join buffer is not a list")
            for slot in data[side]:
                expect(isinstance(slot, list) and len(slot) == 3, "a buffer slot is not 3 fields")
                hk, tss, refs = slot
                expect(isinstance(tss, list) and isinstance(refs, list) and tss
                       and len(tss) == len(refs) and all(is_int(x) for x in tss)
                       and all(a <= b for a, b in zip(tss, tss[1:])),
                       "a buffer slot's times are not sorted integers matching its rows")
                for i in refs:
                    expect(is_int(i) and 0 <= i < len(entries) and sides[i] is None,
                           "a buffer slot refers to a missing or shared row")
                    self._entry(entries[i], side)
                    sides[i] = side
                out[side][_hashable(hk)] = (tss, [entries[i] for i in refs])
        return out

    def _restore_pending(self, data, entries: list, sides: list) -> list:
        expect(isinstance(data, list), "the held outer rows are not a list")
        pending, seen = [], set()
        for p in data:
            expect(isinstance(p, list) and len(p) == 5 and is_int(p[0]) and is_int(p[1])
                   and p[2] in (0, 1) and is_int(p[3]) and p[1] not in seen,
                   "a held outer row is malformed")
            seen.add(p[1])
            ts, n, side, ref, inline = p
            if ref >= 0:
                expect(ref < len(entries) and sides[ref] == side,
                       "a held outer row refers to a missing row")
                entry = entries[ref]
            else:
                entry = self._entry(inline, side)
            pending.append((ts, n, side, entry))
        heapq.heapify(pending)
        return pending

    def _range(self, side: int, ts: int) -> tuple[int, int]:
        if side == 0:
            return ts - self.before, ts + self.after
        return ts - self.after, ts + self.before

    def _batch(self, index: int, items, out: list) -> None:
        # The hot loop of every stream-stream join: locals, no per-record helper calls on the
        # common path (a match or a stored row); rare paths (null key, outer rows) call helpers.
        append = out.append
        kf, tsi = self.key_fns[index], self.ts_slots[index]
        outer = self.outer(index)
        deferred = self.deferred
        other_buf = self.buffers[1 - index]
        my_buf = self.buffers[index]
        expiry = self.expiry[index]
        side_time = self.side_time
        other = 1 - index
        before, after = (self.before, self.after) if index == 0 else (self.after, self.before)
        retention = self.retention
        project = getattr(self.project, "fast", None) or self.project
        ws = self.window_slots
        left = index == 0
        for row, deleted, rec in items:
            if deleted:
                continue
            ts = row[tsi]
            st = self.stream_time
            if st is None or ts > st:
                self.stream_time = st = ts
            seq = rec.seq
            if deferred and ts == st and self.pending:
                self._emit_closed(out, seq)
            k = kf(row)
            if k is None:
                if outer:
                    self.emit(out, self.joined(index, row, None), ts, seq, None)
                continue
            win = (row[ws[index][0]], row[ws[index][1]]) if ws else None
            lo, hi = ts - before, ts + after
            other_time = side_time[other]
            if other_time is not None and other_time - retention + 1 > lo:
                lo = other_time - retention + 1
            hk = k if k.__class__ in _SCALARS else hashable(k)
            if win is not None:
                hk = (hk, win)
            matched = False
            slot = other_buf.get(hk)
            if slot is not None:
                tss, entries = slot
                n = len(tss)
                i = bisect_left(tss, lo) if tss[0] < lo else 0
                while i < n and tss[i] <= hi:
                    entry = entries[i]
                    ots = tss[i]
                    i += 1
                    matched = True
                    entry[1] = True
                    kv = project(row + entry[0] if left else entry[0] + row, k)
                    if kv is not None:
                        append(_emit(Emit, (kv[0], kv[1], ts if ts > ots else ots, seq, win)))
            entry = [row, matched, ts, seq, k, win]
            t = side_time[index]
            if t is None or ts > t:
                side_time[index] = t = ts
            horizon = t - retention
            if ts > horizon:
                mine = my_buf.get(hk)
                if mine is None:
                    my_buf[hk] = ([ts], [entry])
                elif ts >= mine[0][-1]:
                    mine[0].append(ts)
                    mine[1].append(entry)
                else:                       # out of order: keep the key's rows sorted by time
                    j = bisect_right(mine[0], ts)
                    mine[0].insert(j, ts)
                    mine[1].insert(j, entry)
                expiry.append((ts, hk))
            if expiry and expiry[0][0] <= horizon:
                self._purge(index, horizon)
            if not matched and outer:
                if deferred and hi >= st:
                    self.pending_n += 1
                    heapq.heappush(self.pending, (ts, self.pending_n, index, entry))
                else:
                    self.emit(out, self.joined(index, row, None), ts, seq, k, win)

    def _emit_closed(self, out: list, seq) -> None:
        """Emit held outer rows in timestamp order while their window (plus grace) has closed;
        the first one still open stops the scan (Kafka Streams' outer store does the same)."""
        st, pending = self.stream_time, self.pending
        while pending:
            ts, _, side, entry = pending[0]
            if ts + (self.after if side == 0 else self.before) + self.grace >= st:
                return
            heapq.heappop(pending)
            if not entry[1]:
                self.emit(out, self.joined(side, entry[0], None), ts, seq, entry[4], entry[5])

    def _purge(self, side: int, horizon: int) -> None:
        """Drop rows of ``side`` no lookup can see any more (ts <= its time - retention), oldest
        first: O(1) per row, so memory follows WITHIN + grace, not the stream's length."""
        dq = self.expiry[side]
        buf = self.buffers[side]
        while dq and dq[0][0] <= horizon:
            _, hk = dq.popleft()
            slot = buf.get(hk)
            if slot is None:
                continue
            tss, entries = slot
            n = bisect_right(tss, horizon)
            if n == len(tss):
                del buf[hk]
            elif n:
                del tss[:n]
                del entries[:n]

    def state_size(self) -> int:
        """Rows held (both buffers and the outer rows waiting): what bounds memory."""
        return sum(len(v[0]) for b in self.buffers for v in b.values()) + len(self.pending)


class TableTableJoin(_Base):
    """Both sides are tables keyed by the join key; every change re-joins that key.

    A key whose result is gone (a side deleted, or WHERE now false) gets a tombstone only
    if its last output was a row: the filter after a Kafka Streams table join sees old
    values, and drops a change whose old and new results both fail (KTableFilter)."""

    STATE = ("state", "emitted")

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.state = ({}, {})
        self.emitted: set = set()          # keys whose last output was a row

    def snapshot_state(self) -> dict:
        return {"state": [[[k, row] for k, row in side.items()] for side in self.state],
                "emitted": self.emitted, "late": self.late_dropped}

    def restore_state(self, obj) -> None:
        self._restore_common(obj, {"state", "emitted"})
        st = obj["state"]
        expect(isinstance(st, list) and len(st) == 2, "table-table state is not two sides")
        expect(isinstance(obj["emitted"], set), "the emitted keys are not a set")
        self.state = (self._rows_by_key(st[0], 0), self._rows_by_key(st[1], 1))
        self.emitted = obj["emitted"]
        self.late_dropped = obj["late"]

    def _batch(self, index: int, items, out: list) -> None:
        kf, tsi = self.key_fns[index], self.ts_slots[index]
        mine = self.state[index]
        for row, deleted, rec in items:
            k = rec.key if deleted and rec.__class__ is _Seq else kf(row)
            if k is None:
                continue
            hk = hashable(k)
            if deleted:
                mine.pop(hk, None)
            else:
                mine[hk] = row
            left, right = self.state[0].get(hk), self.state[1].get(hk)
            present = (left is not None and (right is not None or self.outer(0))) or \
                      (right is not None and (left is not None or self.outer(1)))
            ts = max(r[self.ts_slots[i]] for i, r in enumerate((left, right)) if r is not None) \
                if (left is not None or right is not None) else row[tsi]
            if not present:
                self._retract(out, k, hk, row[tsi], rec.seq)
                continue
            jrow = (left if left is not None else [None] * self.widths[0]) + \
                   (right if right is not None else [None] * self.widths[1])
            kv = self.project(jrow, k)
            if kv is None:
                self._retract(out, k, hk, ts, rec.seq)
            else:
                self.emitted.add(hk)
                out.append(Emit(kv[0], kv[1], ts, rec.seq))

    def _retract(self, out: list, k, hk, ts: int, seq) -> None:
        """A tombstone for a key that has no result now, if its last output was a row."""
        if hk in self.emitted:
            self.emitted.discard(hk)
            out.append(Emit(self.project.key_only(k), None, ts, seq))

class ForeignKeyJoin(_Base):
    """Table-table join from a left table's (value) expression to the right table's primary key.
    The result is keyed by the left table's primary key; a right change re-joins every left row
    that points at it."""

    STATE = ("left", "right", "index", "emitted")

    def __init__(self, *a, left_key: Callable, **kw):
        super().__init__(*a, **kw)
        self.left_key = left_key          # left row -> its primary key, a list of column values
        self.left: dict = {}              # left pk -> (row, fk)
        self.right: dict = {}             # right pk -> row
        self.index: dict = defaultdict(dict)   # fk -> {left pk: None}, insertion ordered
        self.emitted: set = set()

    def snapshot_state(self) -> dict:
        """Left rows with their foreign keys, right rows, emitted keys; the index is rebuilt
        from the left rows (it lists them per foreign key in the same insertion order)."""
        return {"left": [[hk, row, fk] for hk, (row, fk) in self.left.items()],
                "right": [[k, row] for k, row in self.right.items()],
                "emitted": self.emitted, "late": self.late_dropped}

    def restore_state(self, obj) -> None:
        self._restore_common(obj, {"left", "right", "emitted"})
        expect(isinstance(obj["left"], list) and isinstance(obj["emitted"], set),
               "foreign-key join state is malformed")
        left, index = {}, defaultdict(dict)
        for entry in obj["left"]:
            expect(isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], tuple),
                   "a stored left row is not [primary key, row, foreign key]")
            hk = _hashable(entry[0])
            left[hk] = (self._row(entry[1], 0), entry[2])
            if entry[2] is not None:
                index[_hashable(hashable(entry[2]))][hk] = None
        self.left, self.index = left, index
        self.right = self._rows_by_key(obj["right"], 1)
        self.emitted = obj["emitted"]
        self.late_dropped = obj["late"]

    def _batch(self, index: int, items, out: list) -> None:
        for row, deleted, rec in items:
            if index == 0:
                self._left(out, row, deleted, rec)
            else:
                self._right(out, row, deleted, rec)

    def _result(self, out, pk, lrow, rrow, ts, seq) -> None:
        hk = tuple(hashable(x) for x in pk)
        if rrow is None and self.kind == "INNER":
            if hk in self.emitted:
                self.emitted.discard(hk)
                out.append(Emit(pk, None, ts, seq))
            return
        kv = self.project(lrow + (rrow if rrow is not None else [None] * self.widths[1]), pk)
        if kv is None:
            if hk in self.emitted:
                self.emitted.discard(hk)
                out.append(Emit(pk, None, ts, seq))
            return
        self.emitted.add(hk)
        out.append(Emit(kv[0], kv[1], ts, seq))

    def _left(self, out, row, deleted, rec) -> None:
        pk = self.left_key(row)
        hk = tuple(hashable(x) for x in pk)
        old = self.left.pop(hk, None)
        if old is not None:
            self.index[hashable(old[1])].pop(hk, None)
        ts = row[self.ts_slots[0]]
        if deleted:
            self.emitted.discard(hk)
            out.append(Emit(pk, None, ts, rec.seq))
            return
        fk = self.key_fns[0](row)
        self.left[hk] = (row, fk)
        if fk is None:
            self._result(out, pk, row, None, ts, rec.seq)
            return
        self.index[hashable(fk)][hk] = None
        self._result(out, pk, row, self.right.get(hashable(fk)), ts, rec.seq)

    def _right(self, out, row, deleted, rec) -> None:
        k = hashable(self.key_fns[1](row))
        if deleted:
            self.right.pop(k, None)
        else:
            self.right[k] = row
        ts = row[self.ts_slots[1]]
        for hk in list(self.index.get(k, ())):
            lrow, _ = self.left[hk]
            self._result(out, self.left_key(lrow), lrow, None if deleted else row, ts, rec.seq)


class _Seq:
    """Stands for the input record of a chained step: its seq, and the key of a tombstone."""
    __slots__ = ("seq", "key")

    def __init__(self, seq, key=None):
        self.seq = seq
        self.key = key


def _retimed(row: list, slot: int, ts: int) -> list:
    """A joined row whose event time (the first source's ROWTIME slot) is the join's time."""
    row = list(row)
    row[slot] = ts
    return row


class JoinChain:
    """An N-way join: input 0 and 1 feed the first operator; input i (> 1) is the right side of
    operator i-1, whose left side is the joined rows coming out of operator i-2."""

    def __init__(self, ops: list):
        self.ops = ops
        self.late_dropped = 0

    def process(self, index: int, items: list) -> list:
        if index <= 1:
            out, start = self.ops[0].process(index, items), 1
        else:
            out, start = self.ops[index - 1].process(1, items), index
        ts_slot = self.ops[0].ts_slots[0]
        for op in self.ops[start:]:
            if not out:
                break
            width = op.widths[0]
            out = op.process(0, [(_retimed(e.value, ts_slot, e.timestamp), False, _Seq(e.seq))
                                 if e.value is not None else
                                 (_retimed([None] * width, ts_slot, e.timestamp), True,
                                  _Seq(e.seq, e.key[0] if e.key else None))
                                 for e in out])
        self.late_dropped = sum(op.late_dropped for op in self.ops)
        return out

    def snapshot_state(self) -> list:
        return [op.snapshot_state() for op in self.ops]

    def restore_state(self, obj: list) -> None:
        expect(isinstance(obj, list) and len(obj) == len(self.ops),
               "a join chain of %d joins needs as many states" % len(self.ops))
        for op, st in zip(self.ops, obj):
            op.restore_state(st)

    def state_size(self) -> int:
        return sum(op.state_size() for op in self.ops)


class JoinAggregate:
    """GROUP BY over a join: joined rows (re-timed to the join's time) go to the aggregator."""

    def __init__(self, join, aggregator, ts_slot: int):
        self.join, self.aggregator, self.ts_slot = join, aggregator, ts_slot
        self.late_dropped = 0

    def process(self, index: int, items: list) -> list:
        joined = self.join.process(index, items)
        rows = [(_retimed(e.value, self.ts_slot, e.timestamp), False, _Seq(e.seq))
                for e in joined if e.value is not None]
        out = self.aggregator.process(0, rows) if rows else []
        self.late_dropped = self.join.late_dropped + self.aggregator.late_dropped
        return out

    def snapshot_state(self) -> dict:
        return {"join": self.join.snapshot_state(), "agg": self.aggregator.snapshot_state()}

    def restore_state(self, obj: dict) -> None:
        expect(isinstance(obj, dict) and set(obj) == {"join", "agg"},
               "join aggregation state needs join and agg")
        self.join.restore_state(obj["join"])
        self.aggregator.restore_state(obj["agg"])

    def check_persistable(self) -> None:
        self.aggregator.check_persistable()

    def state_size(self) -> int:
        return self.join.state_size() + self.aggregator.state_size()


OPERATORS = {("STREAM", "TABLE"): StreamTableJoin, ("STREAM", "STREAM"): StreamStreamJoin,
             ("TABLE", "TABLE"): TableTableJoin}
