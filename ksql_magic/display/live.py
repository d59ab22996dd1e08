"""A live view of a running query: status line, table, optional chart, Stop button.

Widgets are built on the kernel's main thread when the result is displayed; afterwards only
``flush()`` touches them (from the view's ``Flusher`` thread or from the main thread in
``wait``), under a lock, writing a trait only when its content changed.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

from .. import rendering as fmt
from .chart import LiveChart, plan_chart
from .flusher import FINAL_STATES, Flusher
from .model import rows_for
from .progress import Progress
from .status import status_html


class LiveView:
    def __init__(self, handle, options, on_close=None):
        import ipywidgets as w
        self.handle, self.options, self.on_close = handle, options, on_close
        self.query_id = handle.query_id
        self.rows = rows_for(handle, options.max_rows)
        self.cursor, self.state, self.flushes = 0, "RUNNING", 0
        self._lock = threading.Lock()
        self._shown_version = -1
        self.progress = Progress(handle)
        self.status = w.HTML(status_html(self._status()))
        self.status.add_class("ksql-live-status")
        self.table = w.HTML(fmt.rows_table(self.rows.columns, [], options.displaylimit))
        self.table.add_class("ksql-live-table")
        self.button = w.Button(description="Stop", button_style="warning",
                               tooltip="Stop query %s" % self.query_id)
        self.button.add_class("ksql-stop")
        self.button.on_click(lambda _b: self.stop())
        try:
            shape = SimpleNamespace(columns=self.rows.columns, key_columns=handle.key_columns,
                                    is_table=handle.is_table, windowed=handle.windowed)
            plan, note = plan_chart(shape, options), None
        except ValueError as exc:           # --x/--y/--color naming a missing column
            plan, note = None, w.HTML(fmt.error("chart: %s" % exc, ""))
        self.chart = LiveChart(plan, self.rows.columns, options.chart_points) if plan else None
        parts = [w.HBox([self.button, self.status]), self.table] + ([note] if note else [])
        if self.chart is not None:
            parts.append(self.chart.widget)
        self.widget = w.VBox(parts)
        self.widget.add_class("ksql-live")
        self.flusher = Flusher(self, options.interval)

    def start(self) -> "LiveView":
        self.flush()
        if self.state not in FINAL_STATES:
            self.flusher.start()
        return self

    def _status(self, fresh: bool = False) -> dict:
        try:
            status = dict(self.handle.status())
        except Exception as exc:     # noqa: BLE001 - a status failure must not kill the view
            return {"query_id": self.query_id, "state": "ERROR", "error": str(exc),
                    "target": self.options.target}
        status.setdefault("target", self.options.target)
        return self.progress.enrich(status, fresh)

    def flush(self) -> str:
        """Pull new changes, re-render what changed; returns the query's state."""
        with self._lock:
            status = self._status()
            self.cursor, changes = self.handle.changes(self.cursor)
            self.rows.apply(changes)
            self._write(status)
            self.flushes += 1
            self.state = status.get("state", "RUNNING")
            if self.state in FINAL_STATES:
                self._finish()
            return self.state

    def _write(self, status: dict) -> None:
        html = status_html(status)
        if html != self.status.value:
            self.status.value = html
        if self.rows.version == self._shown_version:
            return
        self._shown_version = self.rows.version
        snapshot = self.rows.snapshot()
        self.table.value = fmt.rows_table(self.rows.columns, snapshot, self.options.displaylimit,
                                          total=self.rows.total, newest_last=True)
        if self.chart is not None:
            self.chart.update(snapshot)

    def _finish(self) -> None:
        self.button.disabled = True
        self.button.description = "Stopped"

    def fail(self, message: str) -> None:
        self.status.value = status_html({"query_id": self.query_id, "state": "ERROR",
                                         "error": message})
        self.state = "ERROR"

    def stop(self) -> None:
        """Stop the query (the Stop button, ``%ksql stop``); the view shows its last rows."""
        try:
            self.handle.stop()
        finally:
            self.flusher.close()
            self.flush()
            if self.on_close is not None:
                self.on_close(self)

    def close(self) -> None:
        """Stop updating (kernel shutdown); leaves the query to its engine."""
        self.flusher.close()

    def snapshot_rows(self) -> list:
        with self._lock:
            return self.rows.snapshot()
