"""REST clients for Flink: the SQL Gateway (REST API v1) and the cluster's own REST API.

Why REST: the kernel must start no JVM and must not import PyFlink (which pins pandas below
2.3). Only the standard library is used. The SQL Gateway runs statements in a session; the
cluster REST API lists and cancels jobs, which works the same whichever gateway submitted them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from ..errors import KsqlRuntimeError, KsqlStatementError

TERMINAL = ("FINISHED", "ERROR", "CANCELED", "CLOSED", "TIMEOUT")


class FlinkRestError(KsqlRuntimeError):
    """Flink answered with an error (the message is Flink's own, shortened)."""


def _request(method: str, url: str, body: dict | None = None, timeout: float = 60.0):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise FlinkRestError(_error_text(exc.read(), exc.code)) from None
    except (urllib.error.URLError, OSError) as exc:
        raise KsqlRuntimeError("cannot reach Flink at %s: %s" % (url, exc)) from None
    return json.loads(raw) if raw else {}


def _error_text(raw: bytes, code: int) -> str:
    try:
        errors = json.loads(raw).get("errors") or []
    except ValueError:
        return "HTTP %d: %s" % (code, raw[:500].decode("utf-8", "replace"))
    return _shorten(errors[0] if errors else "HTTP %d" % code, errors[1:])


def _shorten(first: str, rest: list[str]) -> str:
    """Flink's errors carry Java stack traces; keep the cause lines a user can act on."""
    text = "\n".join([first] + list(rest))
    causes = [ln.strip() for ln in text.splitlines()
              if ("Exception:" in ln or "Error:" in ln) and not ln.strip().startswith("at ")]
    return " | ".join(dict.fromkeys(causes[-3:])) if causes else first[:1000]


class SqlGateway:
    """One SQL Gateway session: ``execute(sql)`` runs a statement and returns its result."""

    def __init__(self, url: str, properties: dict[str, str] | None = None,
                 timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        reply = _request("POST", self.url + "/v1/sessions",
                         {"properties": dict(properties or {})}, timeout)
        self.session = reply["sessionHandle"]

    def execute(self, statement: str) -> dict:
        """Run one statement to completion: ``{"columns", "rows", "job_id"}``."""
        base = "%s/v1/sessions/%s" % (self.url, self.session)
        op = _request("POST", base + "/statements", {"statement": statement},
                      self.timeout)["operationHandle"]
        opurl = "%s/operations/%s" % (base, op)
        self._wait(opurl)
        return self._results(opurl)

    def _wait(self, opurl: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            status = _request("GET", opurl + "/status")["status"]
            if status in TERMINAL:
                return
            time.sleep(0.1)
        raise KsqlRuntimeError("Flink statement did not finish within %ss" % self.timeout)

    def _results(self, opurl: str) -> dict:
        columns, rows, job_id = [], [], None
        uri = opurl + "/result/0?rowFormat=JSON"
        while uri:
            page = _request("GET", uri)
            job_id = page.get("jobID") or job_id
            results = page.get("results") or {}
            columns = [c["name"] for c in results.get("columns", [])] or columns
            rows.extend(r["fields"] for r in results.get("data", []))
            nxt = page.get("nextResultUri")
            if page.get("resultType") == "EOS" or not nxt:
                break
            if page.get("resultType") == "NOT_READY":
                time.sleep(0.1)
            uri = self.url + nxt
        return {"columns": columns, "rows": rows, "job_id": job_id}

    def close(self) -> None:
        try:
            _request("DELETE", "%s/v1/sessions/%s" % (self.url, self.session))
        except KsqlRuntimeError:
            pass


class ClusterRest:
    """The JobManager's REST API: job listing and cancellation."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def jobs(self) -> list[dict]:
        overview = _request("GET", self.url + "/jobs/overview").get("jobs", [])
        return [{"job_id": j["jid"], "name": j["name"], "state": j["state"],
                 "start_time": j.get("start-time")} for j in overview]

    def job(self, job_id: str) -> dict:
        """Flink's job detail: state, and per operator chain (vertices) its record counts."""
        return _request("GET", "%s/jobs/%s" % (self.url, job_id), timeout=10)

    def cancel(self, job_id: str) -> None:
        try:
            _request("PATCH", "%s/jobs/%s?mode=cancel" % (self.url, job_id))
        except FlinkRestError as exc:
            raise KsqlStatementError("cannot cancel Flink job %s: %s" % (job_id, exc.message))

    def wait_state(self, job_id: str, states: tuple[str, ...], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        state = "UNKNOWN"
        while time.monotonic() < deadline:
            state = _request("GET", "%s/jobs/%s" % (self.url, job_id)).get("state", state)
            if state in states:
                return state
            time.sleep(0.2)
        return state
