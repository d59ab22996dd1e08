"""What a statement returns: ``Result`` and, for live queries, ``QueryHandle``.

Results render themselves (``_repr_html_``) and convert to pandas lazily, so the engine
never imports pandas unless a user asks for a DataFrame.
"""

from __future__ import annotations

import collections
import heapq
import html
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from .rendering import rows_table
from .types import shown_value


@dataclass
class Result:
    kind: str                          # message | table | push | persistent | print
    message: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    query_id: Optional[str] = None
    handle: Any = None
    statement: str = ""
    column_types: dict = field(default_factory=dict)   # name -> SqlType, where known

    def to_pandas(self):
        """The rows as a DataFrame; window bounds, ROWTIME and TIMESTAMP / DATE / TIME
        columns as datetimes, dates and times (see ``dataframes.frame``)."""
        if self.handle is not None and self.kind in ("push", "print"):
            return self.handle.to_pandas()
        from .dataframes import frame
        return frame(self.columns, self.rows, self.column_types)

    def __repr__(self) -> str:
        if self.kind == "table":
            return "Result(table, %d rows: %s)" % (len(self.rows), ", ".join(self.columns))
        return "Result(%s%s%s)" % (self.kind, ", " + repr(self.message) if self.message else "",
                                   ", query_id=%s" % self.query_id if self.query_id else "")

    def _repr_html_(self) -> str:
        """The same table look as the notebook magic's (rendering.rows_table)."""
        if self.kind != "table":
            return "<pre>%s</pre>" % html.escape(self.message or repr(self))
        return rows_table(self.columns, self.rows, max(len(self.rows), 1))


def _hashable(v):
    return repr(v) if isinstance(v, (list, dict)) else v


_UNKNOWN = object()


class Change(NamedTuple):
    op: str                            # append | upsert | delete
    key: tuple
    row: dict


class QueryHandle:
    """A live view of a push query (or of a stream/table being watched).

    Streams append rows; tables upsert by key (and window) and delete on tombstones.
    ``changes(cursor)`` lets a display poll what happened since its last look.

    Bounded, so a long-running view cannot grow the kernel without limit: a stream keeps its
    newest ``max_rows`` rows; a table its ``max_rows`` newest keys (by first appearance), and
    a windowed aggregation drops each window once it is past the query's retention (stream
    time beyond window start + max(RETENTION, size + grace), as the operator's own store
    forgets it). Eviction is not a change (ksqlDB's clients see no retraction when a window
    expires either): a display keeps its own bounded copy of the rows it was sent."""

    def __init__(self, query_id: str, columns: list[str], key_columns: list[str], *,
                 is_table: bool, windowed: bool, engine=None, max_changes: int = 100_000,
                 emitted_keys: Optional[list[str]] = None, value_names: Optional[list[str]] = None,
                 max_rows: int = 100_000, column_types: Optional[list] = None):
        self.query_id = query_id
        # SqlType per column: rows show temporal values as ISO text
        self._types = dict(zip(columns, list(column_types or [])))
        self.columns = columns
        self.key_columns = key_columns          # the columns identifying a row
        # how an emitted (key, value) pair maps onto column names
        self._emitted_keys = list(emitted_keys if emitted_keys is not None else key_columns)
        self._value_names = list(value_names if value_names is not None else
                                 [c for c in columns if c not in self._emitted_keys])
        self.is_table = is_table
        self.windowed = windowed
        self._engine = engine
        self._cond = threading.Condition()
        # streams: the newest rows (bounded); tables: the current state by key
        self._rows: "collections.deque[dict]" = collections.deque(maxlen=max_rows)
        self._state: dict[tuple, dict] = {}
        self._changes: list[Change] = []
        self._base = 0                        # cursor of _changes[0]
        self._max_changes = max_changes
        self._max_rows = max_rows
        self._expiry: list = []               # heap of (keep_until, window): windowed tables
        self._window_keys: dict[tuple, set] = {}
        self._keep = _UNKNOWN                 # the query's windows.keep_until, looked up once
        self.query = None                     # the runtime Query, set by the engine

    # -- fed by the sink ----------------------------------------------------------------
    def accept(self, emits, room: Optional[int] = None) -> int:
        """Apply emitted rows; returns how many reached the view (at most ``room``): a
        stream's null-value record and a delete of a row the view never had are not
        delivered, so they do not use up a LIMIT (ksqlDB counts the rows its client gets)."""
        delivered = 0
        with self._cond:
            for e in emits:
                if delivered == room:
                    break
                key = self._identity(e)
                if e.value is None:
                    if self.is_table and key in self._state:
                        del self._state[key]
                        self._changes.append(Change("delete", key, {}))
                        delivered += 1
                    continue
                row = self._row(e)
                if self.is_table:
                    if e.window and key not in self._state:
                        self._track_window(key, tuple(e.window))
                    self._state[key] = row
                    self._changes.append(Change("upsert", key, row))
                else:
                    self._rows.append(row)
                    self._changes.append(Change("append", key, row))
                delivered += 1
            if self.is_table:
                self._expire_windows()
                self._bound_table()
            overflow = len(self._changes) - self._max_changes
            if overflow > 0:
                del self._changes[:overflow]
                self._base += overflow
            self._cond.notify_all()
        return delivered

    def _track_window(self, key: tuple, window: tuple) -> None:
        """Note a new windowed row, to drop it when its window passes retention."""
        keep_until = self._keep_until()
        if keep_until is None:
            return
        keys = self._window_keys.get(window)
        if keys is None:
            keys = self._window_keys[window] = set()
            heapq.heappush(self._expiry, (keep_until(window[1]), window))
        keys.add(key)

    def _keep_until(self):
        """The query's window retention rule (``windows.keep_until``), or None when the view
        is not a windowed aggregation (a watched windowed table: only the size bound holds).
        Looked up once the query is attached (the engine sets ``query`` after construction)."""
        if self._keep is _UNKNOWN and self.query is not None:
            op = getattr(getattr(self.query, "plan", None), "stateful", None)
            windows = getattr(getattr(op, "o", None), "windows", None)
            self._keep = getattr(windows, "keep_until", None)
        return None if self._keep is _UNKNOWN else self._keep

    def _expire_windows(self) -> None:
        """Drop the rows of windows whose retention ended before the query's stream time."""
        expiry = self._expiry
        if not expiry:
            return
        stats = getattr(self.query, "stats", None)
        st = getattr(stats, "stream_time", None)
        if st is None:
            return
        while expiry and expiry[0][0] < st:
            _, window = heapq.heappop(expiry)
            state = self._state
            for key in self._window_keys.pop(window, ()):
                state.pop(key, None)

    def _bound_table(self) -> None:
        """Keep the newest ``max_rows`` keys (by first appearance)."""
        excess = len(self._state) - self._max_rows
        if excess <= 0:
            return
        for key in list(itertools.islice(self._state, excess)):
            del self._state[key]
            keys = self._window_keys.get(key[-2:])
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._window_keys[key[-2:]]
        if len(self._expiry) > 2 * len(self._window_keys) + 64:
            # windows emptied by the bound leave heap entries: rebuild without them
            self._expiry = [x for x in self._expiry if x[1] in self._window_keys]
            heapq.heapify(self._expiry)

    def _identity(self, e) -> tuple:
        """Key (and window) of an emitted row: the emitted key, else the key columns' values."""
        window = tuple(e.window) if e.window else ()
        if e.key:
            return tuple(_hashable(v) for v in e.key) + window
        if self.key_columns and e.value is not None:
            row = dict(zip(self._value_names, e.value))
            return tuple(_hashable(row.get(k)) for k in self.key_columns) + window
        return window

    def _row(self, e) -> dict:
        row = dict(zip(self._emitted_keys, e.key or []))
        row.update(zip(self._value_names, e.value))
        if self._types:
            return {c: shown_value(row.get(c), self._types.get(c)) for c in self.columns}
        return {c: row.get(c) for c in self.columns}

    # -- read by users and displays -------------------------------------------------------
    @property
    def rows(self) -> list[dict]:
        with self._cond:
            return list(self._state.values()) if self.is_table else list(self._rows)

    def changes(self, cursor: int = 0) -> tuple[int, list[Change]]:
        with self._cond:
            start = max(cursor - self._base, 0)
            return self._base + len(self._changes), self._changes[start:]

    def __iter__(self):
        cursor = 0
        while True:
            cursor, changes = self.changes(cursor)
            for c in changes:
                yield c.row
            if self.state != "RUNNING":
                return
            with self._cond:
                self._cond.wait(0.2)

    @property
    def state(self) -> str:
        return self.query.state if self.query is not None else "DONE"

    def status(self) -> dict:
        if self.query is not None:
            return self.query.status()
        return {"query_id": self.query_id, "state": "DONE", "records_in": 0, "records_out": 0,
                "rate": 0.0, "stream_time": None, "late_dropped": 0, "deser_errors": 0, "error": None}

    def wait(self, rows: Optional[int] = None, timeout: Optional[float] = None) -> "QueryHandle":
        """Block until ``rows`` rows have arrived (or the query ends, or ``timeout``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._engine is not None and not self._engine.background_running:
                self._engine.drain()
            with self._cond:
                have = len(self._state) if self.is_table else len(self._rows)
                if (rows is not None and have >= rows) or self.state != "RUNNING":
                    return self
                if rows is None and self._engine is not None and not self._engine.background_running:
                    return self
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return self
                self._cond.wait(min(0.1, left) if left is not None else 0.1)

    def stop(self) -> None:
        if self.query is not None:
            self.query.stop()
        if self._engine is not None:
            self._engine._forget(self.query_id)
        with self._cond:
            self._cond.notify_all()

    @property
    def column_types(self) -> dict:
        """Each column's SQL type, from the running query's plan (empty when unknown)."""
        plan = getattr(self.query, "plan", None)
        return {c.name: c.type for c in getattr(plan, "columns", None) or []}

    def to_pandas(self):
        from .dataframes import frame
        return frame(self.columns, self.rows, self.column_types)

    def __repr__(self) -> str:
        return "QueryHandle(%s, %s, %d rows)" % (self.query_id, self.state, len(self.rows))
