"""One handler per statement kind: what each statement does to the catalog and the broker.

``HANDLERS`` maps statement classes to handlers; adding a statement is one entry here and
one function. Listing statements (SHOW, DESCRIBE, EXPLAIN) live in ``show.py``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from . import show, upgrade
from .catalog import Column, QueryInfo, Source, WindowInfo
from .errors import KsqlError, KsqlStatementError
from .planner import Planner
from .pull import materialization_start
from .results import QueryHandle, Result
from .runtime.query import Query
from .runtime.sink import HandleSink, TopicSink
from .serde import validate_format as _validate_format
from .sql import ast
from .validation import (CREATE_AS_WITH, CREATE_WITH, INSERT_INTO_WITH, check_property,
                         check_with, topic_name_problem)

FORMAT_PROPS = ("KEY_FORMAT", "VALUE_FORMAT", "FORMAT")


def _err(node, msg: str) -> KsqlStatementError:
    pos = getattr(node, "pos", None)
    return KsqlStatementError(msg, (pos.line or None) if pos else None, (pos.column or None) if pos else None)


def validate_format(fmt, columns, *, is_key, properties, node=None):
    """The serde layer's format check, with the statement's position on its error."""
    try:
        _validate_format(fmt, columns, is_key=is_key, properties=properties)
    except KsqlError as e:
        if node is not None:
            e.with_position(node.pos.line or None, node.pos.column or None)
        raise


def execute_statement(engine, stmt: ast.Statement) -> Result:
    handler = HANDLERS.get(type(stmt))
    if getattr(engine, "flink", None) is not None:      # Flink backend: flink/engine_bridge.py
        from .flink.engine_bridge import handler_for
        handler = handler_for(stmt, handler)
    if handler is None:
        raise _err(stmt, "Statement not supported: %s" % type(stmt).__name__)
    result = handler(engine, stmt)
    result.statement = stmt.text
    return result


# ============================================================== sources (DDL) ===

def _props(stmt) -> dict:
    """The WITH clause as ksqlDB reads it: each value parsed to its property's type (strings
    trimmed, numbers as ints), so ' orders ' names the topic 'orders' as it does there."""
    table = WITH_TABLES.get(type(stmt))
    if table is None:
        return {p.name.upper(): p.value for p in getattr(stmt, "properties", ())}
    return check_with(stmt.properties, table)


def _formats(props: dict, engine, node, default_key="KAFKA", default_value=None):
    fmt = props.get("FORMAT")
    if fmt is not None and ("KEY_FORMAT" in props or "VALUE_FORMAT" in props):
        raise _err(node, "Cannot supply both 'FORMAT' and 'KEY_FORMAT' or 'VALUE_FORMAT' properties, "
                         "as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use "
                         "'KEY_FORMAT' and 'VALUE_FORMAT'.")
    key = str(fmt or props.get("KEY_FORMAT") or default_key or
              engine.properties.get("ksql.persistence.default.format.key") or "KAFKA").upper()
    value = fmt or props.get("VALUE_FORMAT") or default_value or \
        engine.properties.get("ksql.persistence.default.format.value")
    if not value:
        raise _err(node, "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. "
                         "Either provide one or set a default via the 'ksql.persistence.default.format.value' config.")
    return key, str(value).upper()


def _resolve_type(engine, t, node):
    """Replace CREATE TYPE names anywhere inside a type with what they stand for."""
    if t.base == "NAMED":
        found = engine.catalog.types.get(t.name)
        if found is None:
            raise _err(node, "Cannot resolve unknown type: %s" % t.name)
        return found
    if t.base == "ARRAY":
        return replace(t, element=_resolve_type(engine, t.element, node))
    if t.base == "MAP":
        return replace(t, key=_resolve_type(engine, t.key, node), value=_resolve_type(engine, t.value, node))
    if t.base == "STRUCT":
        return replace(t, fields=tuple((n, _resolve_type(engine, ft, node)) for n, ft in t.fields))
    return t


def _columns(engine, stmt: ast.CreateSource) -> list[Column]:
    cols = []
    names = set()
    for c in stmt.columns:
        if c.name in names:
            raise _err(c, "Duplicate column names:  %s" % c.name)
        names.add(c.name)
        t = _resolve_type(engine, c.type, c)
        if stmt.kind == "TABLE" and c.key and not c.primary_key:
            raise _err(c, "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for tables." % c.name)
        if stmt.kind == "STREAM" and c.primary_key:
            raise _err(c, "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for streams." % c.name)
        if c.name in ("ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND"):
            raise _err(c, "'%s' is a reserved column name." % c.name)
        ns = "KEY" if (c.key or c.primary_key) else "HEADERS" if c.headers else \
            "HEADER" if c.header_key is not None else "VALUE"
        cols.append(Column(c.name, t, ns, c.header_key))
    return cols


def _ensure_topic(engine, topic: str, props: dict, node, kind: str, create: bool):
    info = engine.broker.topic(topic)
    parts = props.get("PARTITIONS")
    if info is None:
        if parts is None and not create:
            raise _err(node, "Topic '%s' does not exist. If you want to create a new topic for the "
                             "%s please re-run the statement providing the required 'PARTITIONS' "
                             "configuration in the WITH clause (and optionally 'REPLICAS'). For example: "
                             "CREATE %s %s (ID INT) WITH (KAFKA_TOPIC='%s', PARTITIONS=2, REPLICAS=1, "
                             "FORMAT='JSON');" % (topic, kind.lower(), kind, topic.upper(), topic))
        engine.create_topic(topic, int(parts or 1), _replicas(props))
    elif parts is not None and int(parts) != info.partitions and not create:
        raise _err(node, "A Kafka topic with the name '%s' already exists, with different partition/"
                         "replica configuration than required. KSQL expects %s partitions (topic has %d)."
                   % (topic, parts, info.partitions))


def _window_info(props: dict, node) -> Optional[WindowInfo]:
    wt = props.get("WINDOW_TYPE")
    if wt is None:
        return None
    wt = str(wt).upper()
    if wt not in ("TUMBLING", "HOPPING", "SESSION"):
        raise _err(node, "WINDOW_TYPE must be one of TUMBLING, HOPPING or SESSION")
    size = props.get("WINDOW_SIZE")
    if wt == "SESSION" and size is not None:
        raise _err(node, "'WINDOW_SIZE' should not be set for SESSION windows.")
    size_ms = None
    if size is not None:
        size_ms = _duration_ms(str(size), node)
    elif wt != "SESSION":
        raise _err(node, "Tumbling and Hopping window types should set WINDOW_SIZE in the WITH clause.")
    return WindowInfo(wt, size_ms)


def _duration_ms(text: str, node) -> int:
    """'30 SECONDS' -> 30000 (the WINDOW_SIZE property of a windowed source)."""
    from .sql.parser_expr import TIME_UNITS, UNIT_MS
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].upper() not in TIME_UNITS:
        raise _err(node, "Invalid WINDOW_SIZE property : %s" % text)
    return int(parts[0]) * UNIT_MS[TIME_UNITS[parts[1].upper()]]


def _check_exists(engine, stmt, kind: str) -> bool:
    """True if the statement should do nothing (IF NOT EXISTS on an existing source)."""
    existing = engine.catalog.sources.get(stmt.name)
    if existing is None:
        return False
    if existing.is_source_table and getattr(stmt, "or_replace", False):
        raise _err(stmt, "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss."
                   % (existing.kind.lower(), stmt.name, existing.kind.lower()))
    if getattr(stmt, "if_not_exists", False):
        return True
    if getattr(stmt, "or_replace", False):
        return False
    raise _err(stmt, "Cannot add %s '%s': A %s with the same name already exists"
               % (kind.lower(), stmt.name, existing.kind.lower()))


def create_source(engine, stmt: ast.CreateSource) -> Result:
    if _check_exists(engine, stmt, stmt.kind):
        return Result("message", "%s %s already exists." % (stmt.kind.title(), stmt.name))
    props = _props(stmt)
    topic = props.get("KAFKA_TOPIC")
    if topic is None:
        raise _err(stmt, "Missing required property \"KAFKA_TOPIC\" which has no default value.")
    cols = _columns(engine, stmt)
    cols, note = _talk_key_property(cols, props, stmt)
    key_fmt, value_fmt = _formats(props, engine, stmt)
    cols = _infer_registry_columns(engine, stmt, str(topic), props, cols, key_fmt, value_fmt)
    keys = [c for c in cols if c.namespace == "KEY"]
    if stmt.kind == "TABLE" and not keys:
        raise _err(stmt, "Tables require a PRIMARY KEY. Please define the PRIMARY KEY."
                         " For example: CREATE TABLE %s (ID VARCHAR PRIMARY KEY, ...)." % stmt.name)
    if not keys and "KEY_FORMAT" not in props and "FORMAT" not in props:
        key_fmt = "NONE" if key_fmt == "KAFKA" else key_fmt
    validate_format(key_fmt, [(c.name, c.type) for c in keys], is_key=True, properties=props, node=stmt)
    validate_format(value_fmt, [(c.name, c.type) for c in cols if c.namespace == "VALUE"],
                    is_key=False, properties=props, node=stmt)
    ts = props.get("TIMESTAMP")
    if ts is not None:
        ts = _unquote_column(str(ts))
        if not any(c.name == ts for c in cols):
            raise _err(stmt, "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'" % ts)
    window = _window_info(props, stmt)
    src = Source(stmt.name, stmt.kind, str(topic), cols, key_fmt, value_fmt, props,
                 timestamp_column=ts, timestamp_format=props.get("TIMESTAMP_FORMAT"),
                 window=window, sql=stmt.text, is_source_table=stmt.source)
    old = engine.catalog.sources.get(stmt.name)
    if old is not None:
        _check_upgrade(old, src, stmt)
    _attach_registry(engine, src)
    _ensure_topic(engine, str(topic), props, stmt, stmt.kind, create=False)
    engine.catalog.sources[stmt.name] = src
    return Result("message", "%s created%s" % (stmt.kind.title(), note))


# -- schema registry formats (serde/inference.py) ---------------------------------------------
def _infer_registry_columns(engine, stmt, topic, props, cols, key_fmt, value_fmt):
    """Columns the statement leaves out, read from the registry (AVRO, PROTOBUF, JSON_SR)."""
    from .serde import inference
    has_values = any(c.namespace == "VALUE" for c in cols)
    try:
        inference.check_schema_ids(props, has_values, str(value_fmt).upper())
        if not inference.needs_registry(key_fmt, value_fmt):
            return cols
        if not any(c.namespace == "KEY" for c in cols):
            keys = inference.infer(engine.registry, topic, key_fmt, props, True) or []
            cols = [Column(n, t, "KEY") for n, t in keys] + cols
        if not has_values:
            values = inference.infer(engine.registry, topic, str(value_fmt).upper(), props, False)
            cols = cols + [Column(n, t, "VALUE") for n, t in values or []]
    except KsqlStatementError as e:
        raise _err(stmt, e.message) from None
    return cols


def _register_sink_schemas(sink, stmt) -> None:
    from .serde.inference import register_schemas
    if sink.registry is not None:
        try:
            register_schemas(sink)
        except KsqlStatementError as e:
            raise _err(stmt, e.message) from None


def _attach_registry(engine, src) -> None:
    """Give a source the engine's registry if either side is a registry format."""
    from .serde.inference import needs_registry
    if needs_registry(src.key_format, src.value_format):
        src.registry = engine.registry


def _talk_key_property(cols: list[Column], props: dict, stmt):
    """The 2018 talk's ``WITH (KEY='user_id')`` (pre-0.10 ksqlDB) on a schema with no key
    column is unambiguous: that column is the key. Today's form is ``user_id ... KEY`` /
    ``PRIMARY KEY``; say so rather than fail."""
    name = props.pop("KEY", None)
    if name is None:
        return cols, ""
    if any(c.namespace == "KEY" for c in cols):
        raise _err(stmt, "The KEY property is not supported with key columns declared in the schema. "
                         "Remove it: the column marked %s is the key."
                         % ("PRIMARY KEY" if stmt.kind == "TABLE" else "KEY"))
    name = _unquote_column(str(name))
    if not any(c.name == name for c in cols):
        raise _err(stmt, "The KEY column set in the WITH clause does not exist in the schema: '%s'" % name)
    cols = [Column(c.name, c.type, "KEY") if c.name == name else c for c in cols]
    cols = [c for c in cols if c.namespace == "KEY"] + [c for c in cols if c.namespace != "KEY"]
    word = "PRIMARY KEY" if stmt.kind == "TABLE" else "KEY"
    return cols, " (WITH (KEY='%s') is the pre-0.10 form: read as `%s ... %s`)" % (name, name, word)


def _unquote_column(name: str) -> str:
    if name.startswith("`") and name.endswith("`"):
        return name[1:-1]
    return name.upper()


# ============================================================== persistent queries ===

def _planner(engine) -> Planner:
    return Planner(engine.catalog, engine.functions, engine.properties)


def _from_beginning(engine) -> bool:
    return str(engine.properties.get("auto.offset.reset", "latest")).lower() == "earliest"


def _new_query(engine, query_id: str, plan, sink_source: Source, sql: str) -> Query:
    """A persistent query, built but not yet known to the engine."""
    sink = TopicSink(sink_source, engine.broker, engine.processing_log)
    return Query(query_id, plan, engine.broker, sink, sql=sql, from_beginning=_from_beginning(engine),
                 on_error=engine.processing_log, persistent=True,
                 checkpoint=engine.checkpointer(query_id))


def _register_query(engine, q: Query, sink_name: str, sources: list[str]) -> Query:
    engine.queries[q.query_id] = q
    engine.catalog.queries[q.query_id] = QueryInfo(q.query_id, q.sql, sink_name, sources)
    return q


def _start_query(engine, query_id: str, plan, sink_source: Source, sql: str, sink_name: str,
                 sources: list[str]) -> Query:
    return _register_query(engine, _new_query(engine, query_id, plan, sink_source, sql),
                           sink_name, sources)


def _state_persistable(engine, plan, stmt) -> None:
    """A query whose state goes to a changelog (on Kafka) must keep state that encodes as
    data: a Python UDAF whose accumulator is an arbitrary object is refused here, before
    anything is created, rather than failing at its first commit."""
    from .runtime.checkpoint import keeps_changelog
    from .runtime.state_codec import StateEncodeError
    check = getattr(plan.stateful, "check_persistable", None)
    if check is None or not keeps_changelog(engine.broker, engine.properties):
        return
    try:
        check()
    except StateEncodeError as e:
        raise _err(stmt, "The query's aggregate state cannot be written to its changelog topic: "
                         "%s. A UDAF's accumulator must be made of numbers, strings, bytes, "
                         "Decimals, lists, tuples, dicts and sets (or the UDAF converts it in "
                         "acc_to_data/acc_from_data)." % e)


def _sink_columns(plan) -> list[Column]:
    return [Column(c.name, c.type, "KEY" if c.is_key else "VALUE") for c in plan.columns]


def _no_limit(stmt: ast.CreateAsSelect) -> None:
    """ksqlDB refuses LIMIT in CREATE ... AS SELECT while building the statement, before it
    looks at the catalog (INSERT INTO ... SELECT ... LIMIT is not refused there)."""
    if stmt.query.limit is not None:
        raise _err(stmt, "Failed to prepare statement: CREATE %s AS SELECT statements don't support "
                         "LIMIT clause." % stmt.kind)


def create_as_select(engine, stmt: ast.CreateAsSelect) -> Result:
    _no_limit(stmt)
    if _check_exists(engine, stmt, stmt.kind):
        return Result("message", "%s %s already exists." % (stmt.kind.title(), stmt.name))
    props = _props(stmt)
    planner = _planner(engine)
    plan = planner.plan(stmt.query, sink_name=stmt.name, persistent=True)
    _no_windowed_tables(plan, stmt)
    _state_persistable(engine, plan, stmt)
    if stmt.kind == "TABLE" and plan.result_kind != "TABLE":
        raise _err(stmt, "Invalid result type. Your SELECT query produces a STREAM. "
                         "Please use CREATE STREAM AS SELECT statement instead.")
    if stmt.kind == "STREAM" and plan.result_kind != "STREAM":
        raise _err(stmt, "Invalid result type. Your SELECT query produces a TABLE. "
                         "Please use CREATE TABLE AS SELECT statement instead.")
    first = plan.inputs[0].source
    key_fmt, value_fmt = _formats(props, engine, stmt, default_key=first.key_format,
                                  default_value=first.value_format)
    cols = _sink_columns(plan)
    keys = [c for c in cols if c.namespace == "KEY"]
    explicit_key_fmt = "KEY_FORMAT" in props or "FORMAT" in props
    if not keys:
        key_fmt = "NONE" if not explicit_key_fmt else key_fmt
    elif key_fmt == "NONE" and not explicit_key_fmt:
        key_fmt = "KAFKA" if len(keys) == 1 else "JSON"
    sink_props = dict(props)     # ksqlDB carries only the delimiters over from the source
    for name, fmt in (("KEY_DELIMITER", key_fmt), ("VALUE_DELIMITER", value_fmt)):
        if fmt == "DELIMITED" and name not in sink_props and name in first.properties:
            sink_props[name] = first.properties[name]
    wrap = engine.properties.get("ksql.persistence.wrap.single.values")
    if wrap is not None and wrap.lower() == "false" and "WRAP_SINGLE_VALUE" not in sink_props \
            and len([c for c in cols if c.namespace == "VALUE"]) == 1 and value_fmt == "JSON":
        sink_props["WRAP_SINGLE_VALUE"] = False
    validate_format(key_fmt, [(c.name, c.type) for c in keys], is_key=True, properties=sink_props, node=stmt)
    validate_format(value_fmt, [(c.name, c.type) for c in cols if c.namespace == "VALUE"],
                    is_key=False, properties=sink_props, node=stmt)
    topic = str(props.get("KAFKA_TOPIC") or engine.properties.get("ksql.output.topic.name.prefix", "")
                + stmt.name)
    parts = props.get("PARTITIONS") or (engine.broker.topic(first.topic).partitions
                                        if engine.broker.topic(first.topic) else 1)
    problem = topic_name_problem(topic)
    if problem:
        raise _err(stmt, problem)
    if engine.broker.topic(topic) is None:
        engine.create_topic(topic, int(parts), _replicas(props))
    ts = props.get("TIMESTAMP")
    ts = _unquote_column(str(ts)) if ts is not None else None
    sink = Source(stmt.name, stmt.kind, topic, cols, key_fmt, value_fmt, sink_props,
                  timestamp_column=ts, timestamp_format=props.get("TIMESTAMP_FORMAT"),
                  window=plan.windowed, sql=stmt.text, is_cas_target=True)
    _set_output_timestamp(plan, sink, stmt)
    query_id = _install_query(engine, stmt, plan, sink)
    return Result("persistent", "Created query with ID %s" % query_id, query_id=query_id)


def _install_query(engine, stmt, plan, sink: Source) -> str:
    """Give the sink its query: checks first (the sink's schema, as ksqlDB's DDL does, then
    whether CREATE OR REPLACE can upgrade in place), then the query is built, and only then
    does the old one stop and the catalog change, so a failure leaves everything running."""
    old = engine.catalog.sources.get(stmt.name)
    if old is not None:
        _check_upgrade(old, sink, stmt)
    upgraded = upgrade.replacing(engine, stmt, plan)      # CREATE OR REPLACE: in place
    if upgraded is not None:
        sink.query_id, sink.materialized_from = upgraded.query_id, old.materialized_from
    else:
        sink.query_id = engine.catalog.new_query_id("CSAS" if stmt.kind == "STREAM" else "CTAS",
                                                    stmt.name)
        sink.materialized_from = materialization_start(engine, sink.topic, stmt.kind)
    _attach_registry(engine, sink)
    query = _new_query(engine, sink.query_id, plan, sink, stmt.text)
    if upgraded is not None:                  # same id, positions and state; old one stops
        upgrade.upgrade_in_place(upgraded, query)
    elif old is not None and old.query_id:
        _terminate(engine, old.query_id)
    _register_sink_schemas(sink, stmt)
    engine.catalog.sources[stmt.name] = sink
    _register_query(engine, query, stmt.name, [b.source.name for b in plan.inputs])
    return sink.query_id


def _replicas(props: dict) -> int:
    """REPLICAS as a count; -1 (ksqlDB's 'the broker's default') is one on this broker."""
    r = int(props.get("REPLICAS", 1))
    return 1 if r == -1 else r


def _schema_text(columns) -> str:
    return ", ".join("`%s` %s%s" % (c.name, c.type, " KEY" if c.namespace == "KEY" else "")
                     for c in columns)


def _check_upgrade(old: Source, new: Source, stmt) -> None:
    """CREATE OR REPLACE keeps every existing column, in place and of the same type (new
    value columns may follow): what ksqlDB's canUpgradeTo requires, checked before the old
    query is touched."""
    if old.kind != new.kind:
        raise _err(stmt, "Cannot add %s '%s': A %s with the same name already exists"
                   % (new.kind.lower(), new.name, old.kind.lower()))
    before = old.key_columns + old.value_columns
    after = new.key_columns + new.value_columns
    changed = [c for i, c in enumerate(before)
               if i >= len(after) or (after[i].name, after[i].type, after[i].namespace)
               != (c.name, c.type, c.namespace)]
    if len(new.key_columns) != len(old.key_columns) and not changed:
        changed = [c for c in after[len(old.key_columns):len(new.key_columns)]]
    if changed:
        raise _err(stmt, "Cannot upgrade data source: DataSource '`%s`' has schema = %s which is not "
                         "upgradeable to %s. (The following columns are changed, missing or reordered: "
                         "[%s])" % (old.name, _schema_text(before), _schema_text(after),
                                    _schema_text(changed)))
    if old.topic != new.topic:
        raise _err(stmt, "Cannot upgrade data source: DataSource '`%s`' has kafka topic = %s which is "
                         "not upgradeable to %s" % (old.name, old.topic, new.topic))


def _no_windowed_tables(plan, stmt) -> None:
    if any(b.source.kind == "TABLE" and b.source.window is not None for b in plan.inputs):
        raise _err(stmt, "KSQL does not support persistent queries on windowed tables.")


def _set_output_timestamp(plan, sink: Source, stmt) -> None:
    """WITH (TIMESTAMP='col') on a sink: the output record time comes from that column."""
    if not sink.timestamp_column:
        return
    names = [c.name for c in plan.columns]
    if sink.timestamp_column not in names:
        raise _err(stmt, "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'"
                   % sink.timestamp_column)
    plan.output_timestamp = names.index(sink.timestamp_column)
    col_type = plan.columns[plan.output_timestamp].type
    if col_type.base == "STRING":
        fmt = sink.timestamp_format
        if fmt:
            from .functions.javatime import parse_millis
            plan.output_timestamp_fn = lambda v: parse_millis(v, fmt)
        else:
            from .temporal import parse_timestamp
            plan.output_timestamp_fn = parse_timestamp


def insert_into(engine, stmt: ast.InsertInto) -> Result:
    target = engine.catalog.get(stmt.target, stmt.pos)
    if target.is_source_table or (target.kind == "TABLE" and target.query_id is None):
        raise _err(stmt, "Cannot insert into read-only %s: %s" % (target.kind.lower(), target.name))
    plan = _planner(engine).plan(stmt.query, sink_name=stmt.target, persistent=True)
    _no_windowed_tables(plan, stmt)
    _state_persistable(engine, plan, stmt)
    if plan.result_kind != target.kind:
        raise _err(stmt, "Incompatible data sink and query result. Data sink (%s) type is %s but "
                         "select query result is %s." % (target.name, target.kind, plan.result_kind))
    result_schema = ", ".join("`%s` %s%s" % (c.name, c.type, " KEY" if c.is_key else "") for c in plan.columns)
    sink_schema = ", ".join("`%s` %s%s" % (c.name, c.type, " KEY" if c.namespace == "KEY" else "")
                            for c in target.key_columns + target.value_columns)
    if result_schema != sink_schema:
        raise _err(stmt, "Incompatible schema between results and sink.\nResult schema is %s\n"
                         "Sink schema is %s" % (result_schema, sink_schema))
    query_id = _insert_query_id(engine, stmt)
    _start_query(engine, query_id, plan, target, stmt.text, target.name,
                 [b.source.name for b in plan.inputs])
    return Result("persistent", "Created query with ID %s" % query_id, query_id=query_id)


def _insert_query_id(engine, stmt: ast.InsertInto) -> str:
    """INSERT INTO ... WITH (QUERY_ID='...') names the query (upper-cased, as ksqlDB does);
    without it the id is INSERTQUERY_<n>."""
    given = _props(stmt).get("QUERY_ID")
    if given is None:
        return engine.catalog.new_query_id("INSERTQUERY", None)
    qid = str(given).upper()
    if not qid or not all(ch.isalnum() or ch == "_" for ch in qid):
        raise _err(stmt, "Query IDs may contain only alphanumeric characters and '_'. Got: '%s'"
                   % given)
    if qid in engine.queries or qid in engine.catalog.queries:
        raise _err(stmt, "Query ID '%s' already exists." % qid)
    return qid


def insert_values(engine, stmt: ast.InsertValues) -> Result:
    from .insert_values import insert_values as run
    return run(engine, stmt)


# ============================================================== transient queries ===

def query(engine, stmt: ast.QueryStatement, from_beginning: Optional[bool] = None) -> Result:
    """A transient query; a push query starts at auto.offset.reset, or where the caller says
    (``from_beginning``: ``Engine.watch``)."""
    select = stmt.query
    planner = _planner(engine)
    if select.emit is None:
        from .pull import pull_query
        return pull_query(engine, planner, stmt)
    plan = planner.plan(select, persistent=False)
    engine._transient_seq += 1
    query_id = "transient_%s_%d" % (plan.inputs[0].source.name, engine._transient_seq)
    emitted_keys = [c.name for c in plan.key_columns]
    shown = [c.name for c in plan.columns if not c.hidden]
    handle = QueryHandle(query_id, shown, [k for k in emitted_keys if k in shown] or plan.key_names,
                         is_table=plan.result_kind == "TABLE", windowed=plan.windowed is not None,
                         engine=engine, emitted_keys=emitted_keys,
                         value_names=[c.name for c in plan.value_columns],
                         column_types=[c.type for c in plan.columns if not c.hidden])
    start = _from_beginning(engine) if from_beginning is None else from_beginning
    q = Query(query_id, plan, engine.broker, HandleSink(handle), sql=stmt.text,
              from_beginning=start, on_error=engine.processing_log, persistent=False)
    handle.query = q
    engine.queries[query_id] = q
    engine.handles[query_id] = handle
    return Result("push", "Push query %s started" % query_id, columns=handle.columns,
                  query_id=query_id, handle=handle)


def watch_source(engine, name: str, from_beginning: bool = True) -> QueryHandle:
    """SELECT * FROM <name> EMIT CHANGES, from the beginning or from now on, as a handle (for
    displays). The statement is a tree over the catalog's name, never SQL text: a name may
    hold any character. Runs under the engine's lock (``Engine.watch``)."""
    src = engine.catalog.sources.get(name) or engine.catalog.sources.get(name.upper())
    if src is None:
        raise KsqlStatementError("%s does not exist." % name)
    stmt = select_all(src.name, emit="CHANGES")
    return query(engine, stmt, from_beginning=from_beginning).handle


def select_all(name: str, emit: Optional[str] = None) -> ast.QueryStatement:
    """``SELECT * FROM name [EMIT emit]`` as a tree; its text (shown in SHOW QUERIES) quotes
    the name as an identifier."""
    select = ast.Select(items=(ast.AllColumns(),), from_=ast.SourceRef(name), emit=emit)
    text = "SELECT * FROM `%s`%s;" % (name.replace("`", "``"), " EMIT %s" % emit if emit else "")
    return ast.QueryStatement(select, text=text)


# ============================================================== lifecycle ===

def _terminate(engine, query_id: str) -> None:
    q = engine.queries.pop(query_id, None)
    if q is not None:
        q.stop()
        if getattr(q, "checkpoint", None) is not None:
            q.checkpoint.discard_refused()
    engine.catalog.queries.pop(query_id, None)
    for s in engine.catalog.sources.values():
        if s.query_id == query_id:
            s.query_id = None


def terminate(engine, stmt: ast.Terminate) -> Result:
    if stmt.query_id is None:
        for qid in list(engine.catalog.queries):
            _terminate(engine, qid)
        for qid in list(engine.queries):
            _terminate(engine, qid)
        return Result("message", "All queries terminated.")
    qid = stmt.query_id.upper() if stmt.query_id.upper() in engine.queries or \
        stmt.query_id.upper() in engine.catalog.queries else stmt.query_id
    qid = next((q for q in engine.queries if q.upper() == qid.upper()), qid)   # transient_X_1
    if qid not in engine.queries and qid not in engine.catalog.queries:
        raise _err(stmt, "Unknown queryId: %s" % stmt.query_id)
    _terminate(engine, qid)
    return Result("message", "Query terminated.", query_id=qid)


def drop(engine, stmt: ast.Drop) -> Result:
    if stmt.kind == "TYPE":
        if stmt.name not in engine.catalog.types:
            if stmt.if_exists:
                return Result("message", "Type %s does not exist." % stmt.name)
            raise _err(stmt, "Type %s does not exist." % stmt.name)
        del engine.catalog.types[stmt.name]
        return Result("message", "Dropped type %s" % stmt.name)
    src = engine.catalog.sources.get(stmt.name)
    if src is None:
        if stmt.if_exists:
            return Result("message", "Source %s does not exist." % stmt.name)
        raise _err(stmt, "Source %s does not exist." % stmt.name)
    if src.kind != stmt.kind:
        raise _err(stmt, "Incompatible data source type is %s, but statement was DROP %s"
                   % (src.kind, stmt.kind))
    if stmt.delete_topic and src.is_source_table:
        raise _err(stmt, "Cannot delete topic for read-only source: %s" % src.name)
    readers = [q.query_id for q in engine.catalog.queries.values()
               if src.name in q.sources and q.query_id != src.query_id]
    writers = [q.query_id for q in engine.catalog.queries.values()
               if q.sink == src.name and q.query_id != src.query_id]
    if readers or writers:
        raise _err(stmt, "Cannot drop %s.\nThe following queries read from this source: [%s].\n"
                         "The following queries write into this source: [%s].\nYou need to terminate "
                         "them before dropping %s." % (src.name, ", ".join(sorted(readers)),
                                                       ", ".join(sorted(writers)), src.name))
    if stmt.delete_topic:
        sharing = sorted(s.name for s in engine.catalog.sources.values()
                         if s.topic == src.topic and s.name != src.name)
        if sharing:
            raise _err(stmt, "Refusing to delete topic. Found other data sources (%s) using topic %s"
                       % (", ".join(sharing), src.topic))
    if src.query_id:
        _terminate(engine, src.query_id)
    del engine.catalog.sources[stmt.name]
    if stmt.delete_topic:
        engine.broker.delete_topic(src.topic)
    return Result("message", "Source `%s` (topic: %s) was dropped." % (src.name, src.topic))


def alter_source(engine, stmt: ast.AlterSource) -> Result:
    """ALTER STREAM|TABLE ... ADD COLUMN: new value columns for what later statements see;
    queries already running keep the schema they were planned with (as in ksqlDB)."""
    src = engine.catalog.sources.get(stmt.name)
    if src is None:
        raise _err(stmt, "Source %s does not exist." % stmt.name)
    if src.kind != stmt.kind:
        raise _err(stmt, "Incompatible data source type is %s, but statement was ALTER %s"
                   % (src.kind, stmt.kind))
    if src.is_source_table:
        raise _err(stmt, "Cannot alter %s '%s': ALTER operations are not supported on source %ss."
                   % (src.kind.lower(), stmt.name, src.kind.lower()))
    if src.is_cas_target:
        raise _err(stmt, "ALTER command is not supported for CREATE ... AS statements.")
    taken = {c.name for c in src.columns}
    added = []
    for c in stmt.columns:
        if c.name in taken:
            raise _err(c, "Cannot add column `%s` to schema. A column with the same name "
                          "already exists." % c.name)
        taken.add(c.name)
        added.append(Column(c.name, _resolve_type(engine, c.type, c), "VALUE"))
    columns = src.columns + added
    validate_format(src.value_format, [(c.name, c.type) for c in columns if c.namespace == "VALUE"],
                    is_key=False, properties=src.properties, node=stmt)
    engine.catalog.sources[stmt.name] = replace(src, columns=columns, sql=stmt.text)
    return Result("message", "%s %s altered." % (src.kind.title(), stmt.name))


def create_type(engine, stmt: ast.CreateType) -> Result:
    if stmt.name in engine.catalog.types:
        if stmt.if_not_exists:
            return Result("message", "Type %s already exists" % stmt.name)
        raise _err(stmt, "Cannot register custom type '%s' since it is already registered with type: %s"
                   % (stmt.name, engine.catalog.types[stmt.name]))
    engine.catalog.types[stmt.name] = _resolve_type(engine, stmt.type, stmt)
    return Result("message", "Registered custom type with name '%s' and SQL type %s"
                  % (stmt.name, stmt.type))


# ============================================================== properties, variables ===

def set_property(engine, stmt: ast.SetProperty) -> Result:
    check_property(stmt.name, str(stmt.value), stmt)
    engine.properties[stmt.name] = str(stmt.value)
    return Result("message", "Successfully changed local property '%s' to '%s'." % (stmt.name, stmt.value))


def unset_property(engine, stmt: ast.UnsetProperty) -> Result:
    from .properties import DEFAULT_PROPERTIES
    if stmt.name in DEFAULT_PROPERTIES:
        engine.properties[stmt.name] = DEFAULT_PROPERTIES[stmt.name]
    else:
        engine.properties.pop(stmt.name, None)
    return Result("message", "Successfully unset local property '%s'." % stmt.name)


def define(engine, stmt: ast.Define) -> Result:
    engine.variables[stmt.name] = stmt.value
    return Result("message", "Defined variable %s" % stmt.name)


def undefine(engine, stmt: ast.Undefine) -> Result:
    engine.variables.pop(stmt.name, None)
    return Result("message", "Undefined variable %s" % stmt.name)


WITH_TABLES = {ast.CreateSource: CREATE_WITH, ast.CreateAsSelect: CREATE_AS_WITH,
               ast.InsertInto: INSERT_INTO_WITH}

HANDLERS = {
    ast.CreateSource: create_source,
    ast.CreateAsSelect: create_as_select,
    ast.InsertInto: insert_into,
    ast.InsertValues: insert_values,
    ast.QueryStatement: query,
    ast.Terminate: terminate,
    ast.Drop: drop,
    ast.CreateType: create_type,
    ast.AlterSource: alter_source,
    ast.SetProperty: set_property,
    ast.UnsetProperty: unset_property,
    ast.Define: define,
    ast.Undefine: undefine,
    ast.Show: show.show,
    ast.Describe: show.describe,
    ast.DescribeFunction: show.describe_function,
    ast.Explain: show.explain,
    ast.Print: show.print_topic,
}

from . import admin as _admin  # noqa: E402  (PAUSE/RESUME, ALTER SYSTEM, ASSERT, RUN SCRIPT, connectors)
HANDLERS.update(_admin.HANDLERS)
