"""Listing statements: SHOW, DESCRIBE, DESCRIBE FUNCTION, EXPLAIN and PRINT.

They only read the catalog and the broker; each returns a table-shaped Result whose columns
are the ones ksqlDB's CLI shows.
"""

from __future__ import annotations

from .errors import KsqlStatementError
from .results import QueryHandle, Result
from .sql import ast


def _err(node, msg):
    return KsqlStatementError(msg, node.pos.line or None, node.pos.column or None)


def _topics(engine, stmt):
    rows = []
    for t in engine.broker.list_topics():
        if t.name.startswith("_") and not stmt.all_:
            continue
        row = [t.name, t.partitions, t.replicas]
        if stmt.extended:
            row += [sum(1 for q in engine.catalog.queries.values()
                        if any(engine.catalog.sources.get(s) and engine.catalog.sources[s].topic == t.name
                               for s in q.sources)), 0]
        rows.append(row)
    cols = ["Kafka Topic", "Partitions", "Partition Replicas"]
    if stmt.extended:
        cols += ["Consumers", "Consumer Groups"]
    return cols, rows


def _sources(kind):
    def lister(engine, stmt):
        chosen = [s for s in sorted(engine.catalog.sources.values(), key=lambda s: s.name)
                  if s.kind == kind]
        rows = [[s.name, s.topic, s.key_format, s.value_format]
                + ([s.window is not None] if kind == "TABLE" else [])
                + (_source_extended(engine, s) if stmt.extended else [])
                for s in chosen]
        cols = ["%s Name" % kind.title(), "Kafka Topic", "Key Format", "Value Format"]
        if kind == "TABLE":
            cols.append("Windowed")
        if stmt.extended:
            cols += EXTENDED_SOURCE_COLUMNS
        return cols, rows
    return lister


# What SHOW STREAMS|TABLES EXTENDED adds per source: the parts of ksqlDB's source
# description (DESCRIBE ... EXTENDED) that fit a table row.
EXTENDED_SOURCE_COLUMNS = ["Timestamp Field", "Partitions", "Replication", "Schema",
                           "Writing Queries", "Reading Queries", "Statement"]


def _schema_text(columns) -> str:
    suffix = {"KEY": " KEY", "HEADERS": " HEADERS"}
    return ", ".join("`%s` %s%s" % (c.name, c.type, suffix.get(c.namespace, "")) for c in columns)


def _source_extended(engine, src) -> list:
    info = engine.broker.topic(src.topic)
    queries = engine.catalog.queries.values()
    writers = sorted(q.query_id for q in queries if q.sink == src.name)
    readers = sorted(q.query_id for q in queries if src.name in q.sources)
    return [src.timestamp_column or "Not set - using <ROWTIME>",
            info.partitions if info else None, info.replicas if info else None,
            _schema_text(src.columns), ", ".join(writers), ", ".join(readers), src.sql]


def _state(q) -> str:
    """The query's state, with the broker's trouble when it cannot be reached."""
    status = q.status()
    broker = status.get("broker")
    if q.state == "ERROR" and status.get("error"):
        return "ERROR (%s)" % status["error"]
    return q.state if broker in (None, "connected") else "%s (broker %s)" % (q.state, broker)


def _queries(engine, stmt):
    rows = []
    for qid, q in engine.queries.items():
        if getattr(q, "internal", False):       # a live view's watch (display/persistent.py)
            continue
        info = engine.catalog.queries.get(qid)
        sink = info.sink if info else ""
        topic = engine.catalog.sources[sink].topic if sink in engine.catalog.sources else ""
        row = [qid, "PERSISTENT" if q.persistent else "PUSH", _state(q), sink, topic, q.sql]
        if stmt.extended:
            row += _query_extended(q, info)
        rows.append(row)
    cols = ["Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"]
    return cols + (EXTENDED_QUERY_COLUMNS if stmt.extended else []), rows


# What SHOW QUERIES EXTENDED adds per query: the parts of ksqlDB's query description.
EXTENDED_QUERY_COLUMNS = ["Sources", "Schema", "Execution Plan", "Records In", "Records Out",
                          "Errors", "Stream Time"]


def _query_extended(q, info) -> list:
    st = q.status()
    schema = ", ".join("`%s` %s%s" % (c.name, c.type, " KEY" if c.is_key else "")
                       for c in q.plan.columns if not getattr(c, "hidden", False))
    return [", ".join(info.sources) if info else ", ".join(b.source.name for b in q.plan.inputs),
            schema, "\n".join(q.plan.description), st["records_in"], st["records_out"],
            st["deser_errors"] + st["processing_errors"], st["stream_time"]]


_SECRET_WORDS = ("user.info", "password", "secret")


def _properties(engine, stmt):
    """Every property; credentials (e.g. the schema registry's user info) shown as ***."""
    return ["Property", "Value"], [
        [k, "***" if any(w in k for w in _SECRET_WORDS) else v]
        for k, v in sorted(engine.properties.items())]


def _functions(engine, stmt):
    return ["Function Name", "Category"], [list(r) for r in sorted(engine.functions.list_functions())]


def _variables(engine, stmt):
    return ["Variable Name", "Value"], [[k, v] for k, v in sorted(engine.variables.items())]


def _types(engine, stmt):
    return ["Type Name", "Schema"], [[k, str(v)] for k, v in sorted(engine.catalog.types.items())]


SHOWERS = {"TOPICS": _topics, "STREAMS": _sources("STREAM"), "TABLES": _sources("TABLE"),
           "QUERIES": _queries, "PROPERTIES": _properties, "FUNCTIONS": _functions,
           "VARIABLES": _variables, "TYPES": _types}


def show(engine, stmt: ast.Show) -> Result:
    lister = SHOWERS.get(stmt.what.upper())
    if lister is None:
        raise _err(stmt, "SHOW %s is not supported" % stmt.what)
    cols, rows = lister(engine, stmt)
    return Result("table", "", cols, rows)


def _describe_source(engine, src, extended: bool) -> Result:
    rows = [[c.name, str(c.type) + {"KEY": " (key)" if src.kind == "STREAM" else " (primary key)",
                                    "HEADERS": " (headers)",
                                    "HEADER": " (header('%s'))" % c.header_key}.get(c.namespace, "")]
            for c in src.columns]
    msg = "Name: %s\nType: %s\nKafka topic: %s\nKey format: %s\nValue format: %s" % (
        src.name, src.kind, src.topic, src.key_format, src.value_format)
    if src.timestamp_column:
        msg += "\nTimestamp field: %s" % src.timestamp_column
    if src.window:
        msg += "\nWindow type: %s" % src.window.kind
    if extended:
        q = engine.queries.get(src.query_id) if src.query_id else None
        if q is not None:
            st = q.status()
            msg += "\nQuery: %s (%s)\nRecords in: %d, out: %d, deserialization errors: %d" % (
                q.query_id, st["state"], st["records_in"], st["records_out"], st["deser_errors"])
        msg += "\nStatement: %s" % src.sql
    return Result("table", msg, ["Field", "Type"], rows)


def describe(engine, stmt: ast.Describe) -> Result:
    if stmt.name is None:
        kind = "STREAM" if (stmt.what or "").upper().startswith("STREAM") else "TABLE"
        parts = [_describe_source(engine, s, stmt.extended) for s in engine.catalog.sources.values()
                 if s.kind == kind]
        rows = [[p.message.splitlines()[0][6:], len(p.rows)] for p in parts]
        return Result("table", "", ["Name", "Columns"], rows)
    src = engine.catalog.sources.get(stmt.name)
    if src is None:
        raise _err(stmt, "Could not find STREAM/TABLE '%s' in the Metastore" % stmt.name)
    return _describe_source(engine, src, stmt.extended)


def describe_function(engine, stmt: ast.DescribeFunction) -> Result:
    if engine.functions.kind(stmt.name) is None:
        raise _err(stmt, "Can't find any functions with the name '%s'" % stmt.name)
    d = engine.functions.describe(stmt.name)
    msg = "Name: %s\nType: %s\nCategory: %s\nDescription: %s" % (
        d.get("name"), d.get("type"), d.get("category"), d.get("description"))
    rows = [[v.get("signature"), v.get("return_type"), v.get("description", "")]
            for v in d.get("variations", [])]
    return Result("table", msg, ["Variation", "Returns", "Description"], rows)


def explain(engine, stmt: ast.Explain) -> Result:
    from .planner import Planner
    if stmt.query_id is not None:
        q = engine.queries.get(stmt.query_id) or engine.queries.get(stmt.query_id.upper())
        if q is None:
            raise _err(stmt, "Query with id:%s does not exist, use SHOW QUERIES to view the full set "
                             "of queries." % stmt.query_id)
        from .topology import explain_text
        info = engine.catalog.queries.get(q.query_id)
        return Result("table", explain_text(engine, q, info), ["Execution plan"],
                      [[line] for line in q.plan.description])
    inner = stmt.statement
    select = getattr(inner, "query", None)
    if select is None:
        raise _err(stmt, "EXPLAIN is only supported for queries and persistent query statements")
    plan = Planner(engine.catalog, engine.functions, engine.properties).plan(
        select, sink_name=getattr(inner, "name", None), persistent=not isinstance(inner, ast.QueryStatement))
    return Result("table", inner.text, ["Execution plan"], [[line] for line in plan.description])


def print_topic(engine, stmt: ast.Print) -> Result:
    """PRINT: the topic's records as text rows (from the beginning, or what arrives next)."""
    topic = stmt.topic
    if engine.broker.topic(topic) is None:
        match = [t.name for t in engine.broker.list_topics() if t.name.lower() == topic.lower()]
        if not match:
            raise _err(stmt, "Could not find topic '%s', or the KSQL user does not have permissions "
                             "to list the topic. Topic names are case-sensitive." % topic)
        topic = match[0]
    from .printing import TopicPrinter
    printer = TopicPrinter(engine, topic, stmt)
    rows = printer.rows()
    handle = printer.handle
    return Result("print", "\n".join(printer.lines(rows)),
                  ["rowtime", "partition", "offset", "key", "value"], rows, handle=handle)


_ = QueryHandle
