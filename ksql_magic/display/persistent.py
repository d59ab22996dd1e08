"""A live handle for a persistent query: a watch on its sink plus the query's own status.

Why: ``CREATE TABLE ... AS SELECT`` returns a result without a handle; what the user wants to
see is the sink filling up (the table updating per key and window) and the persistent query's
counters (late records dropped, errors), not those of the watch. Stopping the view
terminates the query, as TERMINATE would.
"""

from __future__ import annotations

import threading

from ..errors import KsqlError
from .keyed import keyed


def internal(handle):
    """Mark the push query behind a view's watch as the display's own: SHOW QUERIES lists
    only the queries a user wrote (ksqlDB has no such query); TERMINATE still ends it."""
    query = getattr(handle, "query", None)
    if query is not None:
        query.internal = True
    return handle


class PersistentHandle:
    def __init__(self, engine, query_id: str, sink: str):
        self.engine, self.query_id, self.sink = engine, query_id, sink
        self.watch = internal(keyed(engine.watch(sink)))
        self.columns, self.key_columns = self.watch.columns, self.watch.key_columns
        self.is_table, self.windowed = self.watch.is_table, self.watch.windowed
        self.stopped = False

    def changes(self, cursor: int = 0):
        return self.watch.changes(cursor)

    def status(self) -> dict:
        try:
            status = dict(self.engine.query_status(self.query_id))
        except KsqlError:       # terminated (TERMINATE, DROP): the query is gone
            status = dict(self.watch.status(), query_id=self.query_id, state="STOPPED")
        if self.stopped:
            status["state"] = "STOPPED"
        elif status.get("state") != "RUNNING":
            self.stopped = True
            self.watch.stop()
        return status

    def stop(self) -> None:
        """Stop the view at once, and TERMINATE the query from a short-lived thread: the
        engine's runner holds its lock while it works through a backlog, and the Stop
        button must not wait for that (the kernel would look frozen)."""
        self.stopped = True
        self.watch.stop()
        threading.Thread(target=self._terminate, daemon=True,
                         name="ksql-terminate-%s" % self.query_id).start()

    def _terminate(self) -> None:
        try:
            self.engine.terminate(self.query_id)
        except KsqlError:
            pass

    def wait(self, rows=None, timeout=None):
        self.watch.wait(rows=rows, timeout=timeout)
        return self

    def to_pandas(self):
        return self.watch.to_pandas()

    @property
    def rows(self):
        return self.watch.rows
