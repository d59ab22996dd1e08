"""Handlers of the administrative statements ksqlDB documents beside DDL and queries:
PAUSE / RESUME, ALTER SYSTEM, RUN SCRIPT, ASSERT TOPIC / SCHEMA, and the connector
statements (refused with one message: connectors run in Kafka Connect, not here).

Kept apart from ``executor.py`` (whose statement handlers another part of the project
owns); ``executor.HANDLERS`` takes these entries from ``HANDLERS`` below.
"""

from __future__ import annotations

import os
import time

from .errors import KsqlStatementError
from .properties import DEFAULT_PROPERTIES
from .results import Result
from .sql import ast

ASSERT_DEFAULT_TIMEOUT_MS = 1000      # ksql.assert.topic|schema.default.timeout.ms
ASSERT_RETRY_MS = 100

# Kafka Streams / client properties ALTER SYSTEM takes besides ksql.* ones (ksqlDB resolves a
# name through KsqlConfig, StreamsConfig, ConsumerConfig and ProducerConfig).
CLIENT_PROPERTIES = frozenset((
    "auto.offset.reset", "commit.interval.ms", "cache.max.bytes.buffering",
    "statestore.cache.max.bytes", "processing.guarantee", "num.stream.threads",
    "buffered.records.per.partition", "max.task.idle.ms", "default.timestamp.extractor",
    "topology.optimization", "max.poll.records", "fetch.min.bytes", "linger.ms",
    "batch.size", "compression.type", "acks", "retries", "session.timeout.ms",
))


def _err(node, msg: str) -> KsqlStatementError:
    pos = getattr(node, "pos", None)
    return KsqlStatementError(msg, (pos.line or None) if pos else None,
                              (pos.column or None) if pos else None)


# ============================================================== PAUSE / RESUME ===

def _persistent_ids(engine) -> list[str]:
    return [qid for qid, q in engine.queries.items() if getattr(q, "persistent", False)]


def pause_resume(engine, stmt: ast.PauseResume) -> Result:
    """PAUSE stops a query reading without forgetting anything: its read positions and its
    state stay, so RESUME carries on from the record after the last one it processed."""
    wanted, now = ("RUNNING", "PAUSED") if stmt.action == "PAUSE" else ("PAUSED", "RUNNING")
    if stmt.query_id is None:
        ids = _persistent_ids(engine)
    else:
        qid = stmt.query_id.upper() if stmt.query_id.upper() in engine.queries else stmt.query_id
        if qid not in engine.queries:
            raise _err(stmt, "Unknown queryId: %s" % stmt.query_id)
        ids = [qid]
    for qid in ids:
        q = engine.queries[qid]
        with q.lock:
            if q.state == wanted:
                q.state = now
    word = "paused" if stmt.action == "PAUSE" else "resumed"
    if stmt.query_id is None:
        return Result("message", "All queries %s." % word)
    return Result("message", "Query %s." % word, query_id=ids[0])


# ============================================================== ALTER SYSTEM ===

def _known_property(name: str) -> bool:
    bare = name[len("ksql.streams."):] if name.startswith("ksql.streams.") else name
    return name in DEFAULT_PROPERTIES or name.startswith("ksql.") or bare in CLIENT_PROPERTIES


def alter_system(engine, stmt: ast.AlterSystem) -> Result:
    """A server-wide property: in ksql_magic the engine is the whole cluster, so the new
    value is what every later statement of every session (cell) sees."""
    if not _known_property(stmt.name):
        raise _err(stmt, "Not recognizable as ksql, streams, consumer, or producer property: '%s'"
                   % stmt.name)
    if stmt.name == "auto.offset.reset" and stmt.value.lower() not in ("earliest", "latest", "none"):
        raise _err(stmt, "Invalid value %s for configuration auto.offset.reset: String must be one "
                         "of: latest, earliest, none" % stmt.value)
    engine.properties[stmt.name] = stmt.value
    return Result("message", "Successfully altered system property '%s' to '%s'."
                  % (stmt.name, stmt.value))


# ============================================================== RUN SCRIPT ===

def script_text(stmt: ast.RunScript) -> str:
    """The statements of a RUN SCRIPT file (a path relative to the working directory)."""
    path = os.path.expanduser(stmt.path)
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise _err(stmt, "Failed to read file: %s (%s)" % (stmt.path, e.strerror or e))


def run_script(engine, stmt: ast.RunScript) -> Result:
    """RUN SCRIPT as a single statement (``Engine.execute`` expands it in place so that
    each statement of the script gives its own Result)."""
    results = engine.execute(script_text(stmt))
    return Result("message", "\n".join(r.message for r in results if r.message))


# ============================================================== ASSERT ===

def _timeout_ms(engine, stmt, prop: str) -> int:
    if stmt.timeout_ms is not None:
        return stmt.timeout_ms
    try:
        return int(engine.properties.get(prop, ASSERT_DEFAULT_TIMEOUT_MS))
    except ValueError:
        return ASSERT_DEFAULT_TIMEOUT_MS


def _retry(check, timeout_ms: int) -> None:
    """Run ``check`` until it passes or the timeout is over (ksqlDB's AssertExecutor retries
    the same way); the last failure is what the user sees."""
    deadline = time.monotonic() + timeout_ms / 1000.0
    while True:
        try:
            check()
            return
        except KsqlStatementError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(min(ASSERT_RETRY_MS / 1000.0, max(deadline - time.monotonic(), 0)))


def _topic_checks(info, stmt: ast.AssertTopic) -> list[str]:
    errors = []
    actual = {"PARTITIONS": info.partitions, "REPLICAS": info.replicas}
    for p in stmt.properties:
        name = p.name.upper()
        if name not in actual:
            errors.append("Cannot assert unknown topic property: %s" % p.name)
        elif not (isinstance(p.value, int) and not isinstance(p.value, bool)
                  and p.value == actual[name]):
            errors.append("Mismatched configuration for topic %s: For config %s, expected %s got %d"
                          % (stmt.topic, name.lower(), p.value, actual[name]))
    return errors


def assert_topic(engine, stmt: ast.AssertTopic) -> Result:
    def check():
        info = engine.broker.topic(stmt.topic)
        if not stmt.exists:
            if info is not None:
                raise _err(stmt, "Topic %s exists" % stmt.topic)
            return
        if info is None:
            raise _err(stmt, "Topic %s does not exist" % stmt.topic)
        errors = _topic_checks(info, stmt)
        if errors:
            raise _err(stmt, "\n".join(errors))
    _retry(check, _timeout_ms(engine, stmt, "ksql.assert.topic.default.timeout.ms"))
    return Result("message", "Topic %s %s" % (stmt.topic, "exists" if stmt.exists else "does not exist"))


def _schema_registry(engine):
    """The engine's Schema Registry client (confluent_kafka's SchemaRegistryClient API), if
    the engine has one."""
    try:
        return getattr(engine, "schema_registry", None)
    except Exception:  # noqa: BLE001 - a registry that cannot be reached is checked below
        return None


def _not_found(e: Exception) -> bool:
    """A 404 for a subject (40401), a version (40402) or a schema id (40403), or the
    embedded in-memory registry's generic 40400: the schema does not exist."""
    return getattr(e, "http_status_code", None) == 404 and \
        getattr(e, "error_code", None) in (40400, 40401, 40402, 40403)


def _schema_exists(registry, stmt: ast.AssertSchema) -> bool:
    """Asks the registry as ksqlDB does: by subject and id, by id, or by subject's latest."""
    try:
        if stmt.subject is not None and stmt.schema_id is not None:
            registry.get_schema(stmt.schema_id)
            return any(registry.get_version(stmt.subject, v).schema_id == stmt.schema_id
                       for v in registry.get_versions(stmt.subject))
        if stmt.schema_id is not None:
            registry.get_schema(stmt.schema_id)
        else:
            registry.get_latest_version(stmt.subject)
        return True
    except Exception as e:  # noqa: BLE001 - the client's own errors, sorted by their code
        if _not_found(e):
            return False
        raise _err(stmt, "Cannot check schema existence: %s" % e) from None


def assert_schema(engine, stmt: ast.AssertSchema) -> Result:
    what = "".join([" subject name %s" % stmt.subject if stmt.subject is not None else "",
                    " id %d" % stmt.schema_id if stmt.schema_id is not None else ""])
    registry = _schema_registry(engine)
    if registry is None:
        raise _err(stmt, "Cannot check schema existence: no Schema Registry is configured "
                         "for this engine")

    def check():
        exists = _schema_exists(registry, stmt)
        if exists and not stmt.exists:
            raise _err(stmt, "Schema with%s exists" % what)
        if not exists and stmt.exists:
            raise _err(stmt, "Schema with%s does not exist" % what)
    _retry(check, _timeout_ms(engine, stmt, "ksql.assert.schema.default.timeout.ms"))
    return Result("message", "Schema with%s %s" % (what, "exists" if stmt.exists else "does not exist"))


# ============================================================== connectors ===

def connector(engine, stmt: ast.ConnectorStatement) -> Result:
    raise _err(stmt, "%s is not supported in ksql_magic: connectors run in Kafka Connect. "
                     "Produce to the topic (engine.produce, INSERT INTO ... VALUES, "
                     "%%ksql datagen) or read it from the engine instead." % stmt.form)


HANDLERS = {
    ast.PauseResume: pause_resume,
    ast.AlterSystem: alter_system,
    ast.RunScript: run_script,
    ast.AssertTopic: assert_topic,
    ast.AssertSchema: assert_schema,
    ast.ConnectorStatement: connector,
}
