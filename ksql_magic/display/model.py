"""The rows a live view holds: appended for streams, upserted by key for tables.

Pure data, no widgets: the flusher applies ``Change`` batches here and renders from it. Both
shapes are bounded by ``max_rows`` so a fast stream cannot grow the kernel's memory.
"""

from __future__ import annotations

from collections import OrderedDict, deque


class StreamRows:
    """Append-only: keeps the newest ``max_rows``."""

    newest_last = True

    def __init__(self, columns: list, max_rows: int):
        self.columns = list(columns)
        self.rows = deque(maxlen=max_rows)
        self.version = 0
        self.total = 0

    def apply(self, changes) -> None:
        for change in changes:
            self.rows.append([change.row.get(c) for c in self.columns])
            self.total += 1
        if changes:
            self.version += 1

    def snapshot(self) -> list:
        return list(self.rows)


class TableRows:
    """Upsert by key (the key includes the window for windowed tables); a delete or a
    tombstone removes the row. A row keeps its place when updated, so a table reads steadily."""

    newest_last = True

    def __init__(self, columns: list, max_rows: int):
        self.columns = list(columns)
        self.max_rows = max_rows
        self.rows: OrderedDict = OrderedDict()
        self.version = 0

    @property
    def total(self) -> int:
        return len(self.rows)

    def apply(self, changes) -> None:
        for change in changes:
            OPS[change.op](self, change)
        if changes:
            self.version += 1
        while len(self.rows) > self.max_rows:
            self.rows.popitem(last=False)

    def _upsert(self, change) -> None:
        if change.row is None:
            self.rows.pop(change.key, None)
            return
        self.rows[change.key] = [change.row.get(c) for c in self.columns]

    def _delete(self, change) -> None:
        self.rows.pop(change.key, None)

    def snapshot(self) -> list:
        return list(self.rows.values())


OPS = {"append": TableRows._upsert, "upsert": TableRows._upsert, "delete": TableRows._delete}


def rows_for(handle, max_rows: int):
    """The model matching the handle's shape."""
    from .window_rows import WindowBoundRows, needs_window_columns
    if needs_window_columns(handle):
        return WindowBoundRows(handle, max_rows)
    return (TableRows if handle.is_table else StreamRows)(handle.columns, max_rows)
