"""A small stand-in for Flink's SQL Gateway: the subset of its REST API v1 that
ksql_magic.flink.gateway uses, served by PyFlink in the Flink venv.

Why it exists: the apache-flink wheel ships the cluster's bin/ scripts and lib/ but not the
flink-sql-gateway jar, so `sql-gateway.sh` cannot start from a pip install. This shim keeps the
kernel on the same REST protocol (sessions, statements, operation status and results) it would
speak to a real gateway; where a real gateway is available, cluster.sh starts that instead.

Each session owns one TableEnvironment whose jobs go to the standalone cluster
(execution.target=remote). Statements run synchronously; their status is FINISHED or ERROR.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pyflink.table import EnvironmentSettings, TableEnvironment

LOCK = threading.Lock()
SESSIONS: dict[str, dict] = {}
REST = ("127.0.0.1", "8081")
SET_RE = re.compile(r"^\s*SET\s+'([^']+)'\s*=\s*'([^']*)'\s*;?\s*$", re.I | re.S)


def new_env(properties: dict) -> TableEnvironment:
    settings = EnvironmentSettings.in_streaming_mode()
    env = TableEnvironment.create(settings)
    conf = env.get_config()
    for k, v in {"execution.target": "remote", "rest.address": REST[0], "rest.port": REST[1],
                 "table.local-time-zone": "UTC", "parallelism.default": "1"}.items():
        conf.set(k, v)
    for k, v in properties.items():
        conf.set(k, str(v))
    return env


def table_result(result, query: bool) -> dict:
    """The gateway's result payload: columns, rows as JSON, and the job id if one started."""
    cols = [{"name": n, "logicalType": {"type": "VARCHAR", "nullable": True}}
            for n in result.get_table_schema().get_field_names()]
    data = []
    job_id = None
    client = result.get_job_client()
    if client is not None and not query:
        job_id = str(client.get_job_id())
    else:
        with result.collect() as rows:
            for row in rows:
                data.append({"kind": "INSERT", "fields": [None if f is None else str(f)
                                                          for f in row]})
    return {"resultType": "EOS", "isQueryResult": False, "jobID": job_id,
            "resultKind": "SUCCESS_WITH_CONTENT",
            "results": {"columns": cols, "rowFormat": "JSON", "data": data},
            "nextResultUri": None}


def run_statement(session: dict, text: str) -> dict:
    m = SET_RE.match(text)
    if m:
        session["env"].get_config().set(m.group(1), m.group(2))
        return {"resultType": "EOS", "isQueryResult": False, "jobID": None,
                "resultKind": "SUCCESS", "results": {"columns": [], "rowFormat": "JSON",
                                                     "data": []}, "nextResultUri": None}
    query = text.lstrip().upper().startswith(("SELECT", "WITH", "VALUES"))
    return table_result(session["env"].execute_sql(text), query)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, code: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def parts(self) -> list[str]:
        return [p for p in self.path.split("?")[0].split("/") if p]

    def do_GET(self):
        p = self.parts()
        if p == ["v1", "info"]:
            return self.reply(200, {"productName": "Apache Flink", "version": "2.0.0 (shim)"})
        if len(p) >= 7 and p[5] == "result":
            op = SESSIONS.get(p[2], {}).get("ops", {}).get(p[4])
            return self.op_result(op)
        if len(p) == 6 and p[5] == "status":
            op = SESSIONS.get(p[2], {}).get("ops", {}).get(p[4])
            return self.op_status(op)
        self.reply(404, {"errors": ["not found: " + self.path]})

    def op_status(self, op):
        if op is None:
            return self.reply(404, {"errors": ["unknown operation"]})
        self.reply(200, {"status": op["status"]})

    def op_result(self, op):
        if op is None:
            return self.reply(404, {"errors": ["unknown operation"]})
        if op["status"] == "ERROR":
            return self.reply(500, {"errors": [op["error"], op.get("trace", "")]})
        self.reply(200, op["result"])

    def do_POST(self):
        p = self.parts()
        body = self.body()
        if p == ["v1", "sessions"]:
            with LOCK:
                handle = str(uuid.uuid4())
                SESSIONS[handle] = {"env": new_env(body.get("properties") or {}), "ops": {}}
            return self.reply(200, {"sessionHandle": handle})
        if len(p) == 4 and p[3] == "statements":
            session = SESSIONS.get(p[2])
            if session is None:
                return self.reply(404, {"errors": ["unknown session " + p[2]]})
            op_id = str(uuid.uuid4())
            with LOCK:
                try:
                    op = {"status": "FINISHED", "result": run_statement(session, body["statement"])}
                except Exception as exc:  # a statement error is the caller's to show
                    op = {"status": "ERROR", "error": _java_message(exc),
                          "trace": traceback.format_exc()}
            session["ops"][op_id] = op
            return self.reply(200, {"operationHandle": op_id})
        self.reply(404, {"errors": ["not found: " + self.path]})

    def do_DELETE(self):
        p = self.parts()
        if len(p) == 3 and p[1] == "sessions":
            SESSIONS.pop(p[2], None)
            return self.reply(200, {"status": "CLOSED"})
        self.reply(404, {"errors": ["not found: " + self.path]})


def _java_message(exc: Exception) -> str:
    text = str(exc)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    causes = [ln for ln in lines if "Exception:" in ln and not ln.strip().startswith("at ")]
    return " | ".join(causes[:4]) if causes else text[:2000]


def main() -> None:
    global REST
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8083)
    ap.add_argument("--rest", default="127.0.0.1:8081")
    args = ap.parse_args()
    host, port = args.rest.rsplit(":", 1)
    REST = (host, port)
    new_env({})  # start the JVM before answering /v1/info, so the first session is quick
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
