"""A table handle that names its key when the engine did not (workaround, engine gap).

Some table handles (a watch on a windowed table, a push query over one) arrive with empty
``key_columns`` and change keys holding only the window, so every key of a window would
collapse into one row. Until the engine fills them in, this adapter takes the first
non-window column as the key, re-keys each change as (key, window) and keeps ``rows`` /
``to_pandas`` / ``wait`` consistent with that.
"""

from __future__ import annotations

import time

WINDOW_COLUMNS = ("WINDOWSTART", "WINDOWEND")


def needs_keys(handle) -> bool:
    return bool(getattr(handle, "is_table", False)) and not list(handle.key_columns)


def keyed(handle):
    """The handle itself when it names its key, else a re-keying adapter over it."""
    return KeyedHandle(handle) if needs_keys(handle) else handle


class KeyedHandle:
    def __init__(self, handle):
        self.inner = handle
        self.columns = list(handle.columns)
        self.key_columns = [c for c in self.columns if c.upper() not in WINDOW_COLUMNS][:1]
        self.window_columns = [c for c in self.columns if c.upper() in WINDOW_COLUMNS]

    def __getattr__(self, name):
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def rekey(self, change):
        if not change.row:
            return change
        key = tuple(change.row.get(c) for c in self.key_columns + self.window_columns)
        return type(change)(change.op, key, change.row)

    def changes(self, cursor: int = 0):
        new_cursor, changes = self.inner.changes(cursor)
        return new_cursor, [self.rekey(c) for c in changes]

    @property
    def rows(self) -> list:
        state = {}
        for change in self.changes(0)[1]:
            if change.op == "delete" or not change.row:
                state.pop(change.key, None)
            else:
                state[change.key] = change.row
        return list(state.values())

    def to_pandas(self):
        from ..dataframes import frame
        return frame(self.columns, self.rows, getattr(self.inner, "column_types", None))

    def wait(self, rows=None, timeout=None):
        deadline = time.monotonic() + (60.0 if timeout is None else timeout)
        while True:
            self.inner.wait(rows=None, timeout=0)
            if rows is None or len(self.rows) >= rows or time.monotonic() >= deadline \
                    or self.inner.status().get("state") != "RUNNING":
                return self
            time.sleep(0.1)
