"""FlinkQuery: a Flink job standing in ``engine.queries`` where an in-kernel Query would.

Why: the engine and the display layer ask ``engine.queries`` / ``Engine.query_status`` for a
persistent query's state (SHOW QUERIES, the live view's status line, DESCRIBE EXTENDED). A
FlinkQuery answers with the job's state as Flink reports it, and with the record counts of
its source and sink operators, and it never has input for the kernel's runner to process.
Cancelling is the bridge's business (``engine_bridge._reconcile``): ``stop`` only detaches,
so closing an engine leaves its Flink jobs running, as persistent queries do.
"""

from __future__ import annotations

import time
from typing import Optional

from ..errors import KsqlRuntimeError
from ..runtime.query import QueryStats

REFRESH_S = 2.0              # Flink's REST API is asked at most this often per job


class FlinkQuery:
    persistent = True
    inputs: tuple = ()

    def __init__(self, query_id: str, job_id: str, backend, sql: str, plan):
        self.query_id, self.job_id, self.backend, self.sql = query_id, job_id, backend, sql
        self.flink_plan = plan
        self.stats = QueryStats()
        self._detail: dict = {}
        self._asked = 0.0
        self._detached = False

    # -- what the runner asks of every query -------------------------------------------------
    def next_pending(self):
        return None

    def poll_merged(self) -> int:
        """Flink reads its own input; the kernel's Kafka rounds have nothing to do here."""
        return 0

    def commit(self) -> None:
        """Flink commits its own offsets (consumer group ``flink_<query id>``)."""

    def stop(self) -> None:
        self._detached = True

    # -- state and status --------------------------------------------------------------------
    def _job(self) -> dict:
        now = time.monotonic()
        if now - self._asked >= REFRESH_S:
            self._asked = now
            try:
                self._detail = self.backend.cluster.job(self.job_id)
            except (KsqlRuntimeError, AttributeError):
                self._detail = {}
        return self._detail

    @property
    def state(self) -> str:
        if self._detached:
            return "STOPPED"
        return self._job().get("state", "UNKNOWN")

    def status(self) -> dict:
        job = self._job()
        vertices = job.get("vertices") or [{}]
        records_in = _metric(vertices[0], "write-records")
        records_out = _metric(vertices[-1], "read-records")
        elapsed = max(time.monotonic() - self.stats.started, 1e-9)
        return {"query_id": self.query_id, "state": self.state, "records_in": records_in,
                "records_out": records_out, "rate": round(records_in / elapsed, 1),
                "stream_time": None, "late_dropped": 0, "deser_errors": 0,
                "processing_errors": 0, "error": self.stats.error,
                "broker": self.stats.broker or "connected", "engine": "flink",
                "flink_job": self.job_id}


def _metric(vertex: dict, name: str) -> int:
    value: Optional[int] = (vertex.get("metrics") or {}).get(name)
    return int(value or 0)
