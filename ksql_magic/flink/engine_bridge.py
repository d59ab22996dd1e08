"""Persistent statements on Flink: the engine's handlers when ``Engine(flink=...)`` is set.

``executor.execute_statement`` asks ``handler_for`` for the handler of each statement when
the engine has a Flink backend. CREATE ... AS SELECT and INSERT INTO ... SELECT are checked
by the in-kernel planner (so semantic errors read exactly as without Flink), translated to
Flink SQL (an untranslatable construct raises before anything changes), registered in the
catalog by the in-kernel handler (sink topic, schema, query id), and then run as a Flink job
instead of an in-kernel query. SHOW QUERIES, EXPLAIN, TERMINATE and DROP know those jobs;
every other statement, push queries included, runs in the kernel as before, reading the
topics Flink writes (windowed sinks through ``windowed_topics.WindowKeyBroker``).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace

from ..errors import KsqlStatementError
from ..results import Result
from ..sql import ast
from .backend import FlinkBackend
from .job import FlinkQuery
from .catalog_bridge import flink_sources, to_flink_source
from .translate import FlinkPlan, translate
from .windowed_topics import WindowKeyBroker


@dataclass
class FlinkJob:
    """One persistent query running on Flink."""
    query_id: str
    job_id: str
    plan: FlinkPlan
    sql: str
    sink: str


class FlinkSession:
    """An engine's Flink side: the backend, the key-rewriting broker and the running jobs."""

    def __init__(self, backend: FlinkBackend, broker: WindowKeyBroker):
        self.backend = backend
        self.broker = broker
        self.jobs: dict[str, FlinkJob] = {}       # query id -> job

    def cancel_all(self) -> None:
        """Cancel every job this engine started (tests, notebook clean-up)."""
        for qid in list(self.jobs):
            self.cancel(qid)

    def cancel(self, query_id: str) -> None:
        job = self.jobs.pop(query_id, None)
        if job is not None:
            self.backend.cancel(job.job_id)


def attach(engine, gateway: str, bootstrap_servers: str | None,
           rest: str | None = None) -> FlinkSession:
    """Give ``engine`` a Flink backend: called once by the Engine constructor."""
    if not bootstrap_servers:
        raise KsqlStatementError("Flink needs a Kafka broker: Engine(bootstrap_servers="
                                 "'host:port', flink='http://gateway:port')")
    gateway, rest = _split_rest(_url(gateway), rest)
    backend = FlinkBackend(gateway, bootstrap_servers, _url(rest) if rest else None)
    broker = WindowKeyBroker(engine.broker)
    engine.broker = broker
    return FlinkSession(backend, broker)


def _url(address: str) -> str:
    return address if "://" in address else "http://" + address


def _split_rest(gateway: str, rest: str | None) -> tuple[str, str | None]:
    """``http://gw:8083?rest=host:8081`` names the JobManager REST API in the URL itself
    (how ``%ksql connect flink://gw:8083?rest=host:8081 kafka://...`` passes it)."""
    base, _, query = gateway.partition("?")
    params = urllib.parse.parse_qs(query)
    return base, rest or (params.get("rest") or [None])[0]


# =========================================================================================
# Persistent queries
# =========================================================================================

def _planner_check(engine, select: ast.Select, sink_name: str) -> None:
    """The in-kernel planner's semantic checks (unknown columns, types ...), side-effect free."""
    from ..planner import Planner
    return Planner(engine.catalog, engine.functions, engine.properties).plan(
        select, sink_name=sink_name, persistent=True)


def _kernel_names(stmt, plan):
    """The statement with each unaliased SELECT item aliased as the kernel names it (a
    join's ``p.user_id`` is ``P_USER_ID``), so Flink writes the columns the catalog has."""
    items = stmt.query.items
    if len(items) != len(plan.columns) or not all(isinstance(i, ast.SelectItem) for i in items):
        return stmt
    named = tuple(i if i.alias else replace(i, alias=c.name)
                  for i, c in zip(items, plan.columns))
    return replace(stmt, query=replace(stmt.query, items=named))


def _offset_reset(engine) -> str:
    return "earliest" if str(engine.properties.get("auto.offset.reset", "latest")).lower() \
        == "earliest" else "latest"


def _with_topic(engine, stmt: ast.CreateAsSelect) -> ast.CreateAsSelect:
    """Name the sink topic as the kernel will (the output-topic prefix included)."""
    if any(p.name.upper() == "KAFKA_TOPIC" for p in stmt.properties):
        return stmt
    topic = str(engine.properties.get("ksql.output.topic.name.prefix", "") or "") + stmt.name
    return replace(stmt, properties=stmt.properties + (ast.Property("KAFKA_TOPIC", topic),))


def _flink_plan(engine, stmt, sink=None) -> FlinkPlan:
    """Checked and translated; raises KsqlError before any side effect. ``sink`` is the
    kernel's catalog entry for the output, so Flink writes the very layout the kernel reads
    (key columns, key format), as the in-kernel query would have."""
    if isinstance(stmt, ast.CreateAsSelect):
        stmt = _kernel_names(stmt, _planner_check(engine, stmt.query, stmt.name))
        stmt = _with_topic(engine, stmt)
        prefix = "CSAS" if stmt.kind == "STREAM" else "CTAS"
        qid = "%s_%s_%d" % (prefix, stmt.name, engine.catalog.next_query_number)
    else:
        engine.catalog.get(stmt.target, stmt.pos)
        stmt = _kernel_names(stmt, _planner_check(engine, stmt.query, stmt.target))
        qid = "INSERTQUERY_%d" % engine.catalog.next_query_number
    sources = flink_sources(engine.catalog, engine.broker)
    if sink is not None:
        info = engine.broker.topic(sink.topic)
        sink = to_flink_source(sink, info.partitions if info else 1)
    return translate(stmt, sources, sink, query_id=qid, offset_reset=_offset_reset(engine))


def persistent(engine, stmt, default) -> Result:
    """CREATE ... AS SELECT / INSERT INTO ... SELECT as a Flink job."""
    if isinstance(stmt, ast.CreateAsSelect) and stmt.if_not_exists \
            and stmt.name in engine.catalog.sources:
        return default(engine, stmt)
    _flink_plan(engine, stmt)               # untranslatable: raise before any side effect
    snapshot_number = engine.catalog.next_query_number
    result = default(engine, stmt)          # catalog entry, sink topic, query id
    qid = result.query_id
    kernel_query = engine.queries.pop(qid, None)
    if kernel_query is not None:
        kernel_query.stop()
    sink_name = stmt.name if isinstance(stmt, ast.CreateAsSelect) else stmt.target
    sink = engine.catalog.sources[sink_name]
    engine.catalog.next_query_number = snapshot_number      # the id _flink_plan predicts
    plan = _flink_plan(engine, stmt, sink)
    engine.catalog.next_query_number = snapshot_number + 1
    if sink.window is not None:
        engine.flink.broker.register(sink.topic, sink.window.kind == "SESSION")
    try:
        job_id = engine.flink.backend.submit(plan)
    except Exception:
        if sink.window is not None and not _writers(engine, sink_name, qid):
            engine.flink.broker.unregister(sink.topic)
        raise
    engine.flink.jobs[qid] = FlinkJob(qid, job_id, plan, stmt.text, sink_name)
    engine.queries[qid] = FlinkQuery(qid, job_id, engine.flink.backend, stmt.text, plan)
    _reconcile(engine)                      # CREATE OR REPLACE ended the old query
    return Result("persistent", "Created query with ID %s (Flink job %s)" % (qid, job_id),
                  query_id=qid)


def _writers(engine, sink: str, but: str) -> list[str]:
    return [q for q, j in engine.flink.jobs.items() if j.sink == sink and q != but]


def _reconcile(engine) -> None:
    """Cancel the Flink jobs of queries the catalog no longer has (TERMINATE, DROP,
    CREATE OR REPLACE ran the in-kernel handler, which only knows the catalog)."""
    for qid in [q for q in engine.flink.jobs if q not in engine.catalog.queries]:
        engine.flink.cancel(qid)


def lifecycle(engine, stmt, default) -> Result:
    """TERMINATE / DROP: the in-kernel handler checks and updates the catalog, then the
    jobs of the queries it ended are cancelled."""
    result = default(engine, stmt)
    _reconcile(engine)
    return result


# =========================================================================================
# SHOW QUERIES, EXPLAIN
# =========================================================================================

def show(engine, stmt: ast.Show, default) -> Result:
    if stmt.what.upper() != "QUERIES":
        return default(engine, stmt)
    kernel = default(engine, stmt)          # Flink jobs are FlinkQuery entries there
    jobs = engine.flink.jobs
    rows = [r + [jobs[r[0]].job_id if r[0] in jobs else ""] for r in kernel.rows]
    return Result("table", "", list(kernel.columns) + ["Flink Job ID"], rows)


def explain(engine, stmt: ast.Explain, default) -> Result:
    if stmt.query_id is not None:
        job = engine.flink.jobs.get(stmt.query_id) or engine.flink.jobs.get(
            stmt.query_id.upper())
        if job is None:
            return default(engine, stmt)
        head = ["-- %s on Flink, job %s" % (job.plan.description, job.job_id)]
        return Result("table", job.sql, ["Execution plan"],
                      [[line] for line in head + job.plan.sql.splitlines()])
    inner = stmt.statement
    if not isinstance(inner, (ast.CreateAsSelect, ast.InsertInto)):
        return default(engine, stmt)
    text = engine.flink.backend.explain(_flink_plan(engine, inner))
    return Result("table", inner.text, ["Execution plan"], [[l] for l in text.splitlines()])


HANDLERS = {ast.CreateAsSelect: persistent, ast.InsertInto: persistent,
            ast.Terminate: lifecycle, ast.Drop: lifecycle, ast.Show: show,
            ast.Explain: explain}


def handler_for(stmt: ast.Statement, default):
    """The Flink-aware handler of ``stmt`` (``default`` is the in-kernel one)."""
    handler = HANDLERS.get(type(stmt))
    if handler is None or default is None:
        return default
    return lambda engine, s: handler(engine, s, default)
