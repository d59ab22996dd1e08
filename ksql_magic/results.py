"""What a statement returns: ``Result`` and, for live queries, ``QueryHandle``.

Results render themselves (``_repr_html_``) and convert to pandas lazily, so the engine
never imports pandas unless a user asks for a DataFrame.
"""

from __future__ import annotations

import collections
import html
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

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
    column_types: list = field(default_factory=list)   # SqlType per column, when known

    def to_pandas(self):
        if self.handle is not None and self.kind in ("push", "print"):
            return self.handle.to_pandas()
        import pandas as pd
        return pd.DataFrame(self.rows, columns=self.columns)

    def __repr__(self) -> str:
        if self.kind == "table":
            return "Result(table, %d rows: %s)" % (len(self.rows), ", ".join(self.columns))
        return "Result(%s%s%s)" % (self.kind, ", " + repr(self.message) if self.message else "",
                                   ", query_id=%s" % self.query_id if self.query_id else "")

    def _repr_html_(self) -> str:
        if self.kind != "table":
            return "<pre>%s</pre>" % html.escape(self.message or repr(self))
        head = "".join("<th>%s</th>" % html.escape(str(c)) for c in self.columns)
        body = "".join("<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(_show(v)) for v in r)
                       for r in self.rows)
        return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body)


def _hashable(v):
    return repr(v) if isinstance(v, (list, dict)) else v


def _show(v) -> str:
    return "null" if v is None else str(v)


class Change(NamedTuple):
    op: str                            # append | upsert | delete
    key: tuple
    row: dict


class QueryHandle:
    """A live view of a push query (or of a stream/table being watched).

    Streams append rows; tables upsert by key (and window) and delete on tombstones.
    ``changes(cursor)`` lets a display poll what happened since its last look."""

    def __init__(self, query_id: str, columns: list[str], key_columns: list[str], *,
                 is_table: bool, windowed: bool, engine=None, max_changes: int = 100_000,
                 emitted_keys: Optional[list[str]] = None, value_names: Optional[list[str]] = None,
                 max_rows: int = 100_000, column_types: Optional[list] = None):
        self.query_id = query_id
        self.column_types = list(column_types or [])   # SqlType per column: rows show
        self._types = dict(zip(columns, self.column_types))  # temporal values as ISO text
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
                    self._state[key] = row
                    self._changes.append(Change("upsert", key, row))
                else:
                    self._rows.append(row)
                    self._changes.append(Change("append", key, row))
                delivered += 1
            overflow = len(self._changes) - self._max_changes
            if overflow > 0:
                del self._changes[:overflow]
                self._base += overflow
            self._cond.notify_all()
        return delivered

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

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(self.rows, columns=self.columns)

    def __repr__(self) -> str:
        return "QueryHandle(%s, %s, %d rows)" % (self.query_id, self.state, len(self.rows))
