"""FlinkBackend: submits translated plans through the SQL Gateway and manages their jobs.

The engine's seam to Flink. ``submit`` either starts one job or raises; nothing is half
submitted (the DDL lives only in a throw-away gateway session, and if the INSERT fails no job
exists). Jobs are listed and cancelled through the cluster's REST API.
"""

from __future__ import annotations

import urllib.parse

from ..errors import KsqlStatementError
from .gateway import ClusterRest, FlinkRestError, SqlGateway, _request
from .translate import FlinkPlan


class FlinkBackend:
    """``FlinkBackend("http://127.0.0.1:8083", "127.0.0.1:9092")``.

    ``rest_url`` is the JobManager REST API; by default it is asked of the gateway's
    configuration, falling back to port 8081 on the gateway's host.
    """

    def __init__(self, gateway_url: str, bootstrap_servers: str, rest_url: str | None = None,
                 properties: dict[str, str] | None = None):
        self.gateway_url = gateway_url.rstrip("/")
        self.bootstrap_servers = bootstrap_servers
        self.properties = dict(properties or {})
        self.cluster = ClusterRest(rest_url or self._default_rest())
        self.submitted: dict[str, FlinkPlan] = {}
        _request("GET", self.gateway_url + "/v1/info", timeout=10)   # fail fast if absent

    def _default_rest(self) -> str:
        host = urllib.parse.urlparse(self.gateway_url).hostname or "127.0.0.1"
        return "http://%s:8081" % host

    def _run(self, plan: FlinkPlan, statements) -> dict:
        gw = SqlGateway(self.gateway_url, self.properties)
        try:
            result = {}
            for stmt in statements:
                result = gw.execute(stmt)
            return result
        except FlinkRestError as exc:
            raise KsqlStatementError("Flink rejected %s: %s" % (plan.name, exc.message)) from None
        finally:
            gw.close()

    def submit(self, plan: FlinkPlan) -> str:
        """Start the plan's job; returns Flink's job id."""
        result = self._run(plan, plan.render(self.bootstrap_servers))
        job_id = result.get("job_id")
        if not job_id:
            raise KsqlStatementError("Flink started no job for %s" % plan.name)
        self.submitted[job_id] = plan
        return job_id

    def explain(self, plan: FlinkPlan) -> str:
        """The generated Flink SQL, followed by Flink's own plan for the INSERT."""
        stmts = plan.render(self.bootstrap_servers)
        result = self._run(plan, stmts[:-1] + ("EXPLAIN " + stmts[-1],))
        flink_plan = "\n".join(str(r[0]) for r in result.get("rows", []))
        return plan.sql + "\n\n-- Flink plan\n" + flink_plan

    def jobs(self) -> list[dict]:
        """Every job on the cluster: job_id, name, state (RUNNING, CANCELED, FAILED, ...)."""
        return self.cluster.jobs()

    def cancel(self, job_id: str, wait: float = 30.0) -> str:
        self.cluster.cancel(job_id)
        return self.cluster.wait_state(job_id, ("CANCELED", "FAILED", "FINISHED"), wait)

    def close(self) -> None:
        """Forget local bookkeeping; jobs keep running on the cluster until cancelled."""
        self.submitted.clear()
