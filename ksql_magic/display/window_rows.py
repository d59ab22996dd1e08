"""Window bounds for a windowed push query that did not select them.

``SELECT card, COUNT(*) FROM a WINDOW TUMBLING (...) GROUP BY card EMIT CHANGES`` yields one
row per card *and window*, but its columns name only the card and the count, so the live
table would show the same card again and again. The window is in each change's key (its
last two parts, see ``QueryHandle._identity``): this model shows it as WINDOWSTART /
WINDOWEND columns after the key, so every row reads as what it is.
"""

from __future__ import annotations

from .model import TableRows

WINDOW_COLUMNS = ("WINDOWSTART", "WINDOWEND")


def needs_window_columns(handle) -> bool:
    return bool(getattr(handle, "windowed", False)) and bool(getattr(handle, "is_table", False)) \
        and not any(c.upper() in WINDOW_COLUMNS for c in handle.columns)


def with_window_columns(columns: list, key_columns: list) -> list:
    """The key columns, the window bounds, then the rest (ksqlDB's SELECT * layout)."""
    keys = [c for c in columns if c in key_columns]
    return keys + list(WINDOW_COLUMNS) + [c for c in columns if c not in key_columns]


class WindowBoundRows(TableRows):
    def __init__(self, handle, max_rows: int):
        super().__init__(with_window_columns(list(handle.columns), list(handle.key_columns)),
                         max_rows)

    def apply(self, changes) -> None:
        super().apply([self._with_window(c) for c in changes])

    @staticmethod
    def _with_window(change):
        if not change.row or len(change.key) < 2:
            return change
        row = dict(change.row)
        row["WINDOWSTART"], row["WINDOWEND"] = change.key[-2], change.key[-1]
        return type(change)(change.op, change.key, row)
