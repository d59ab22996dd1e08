"""Statement tree -> Flink SQL: one persistent query becomes a FlinkPlan (DDL + one INSERT).

Owns the mapping of our dialect onto Flink: sources and sinks as ``kafka`` / ``upsert-kafka``
tables over the same topics and formats, ROWTIME as a watermarked event-time column, windows as
Flink's window table functions, stream-table joins as event-time temporal joins, stream-stream
joins as interval joins. Everything it cannot map faithfully raises KsqlStatementError *before*
anything is submitted, naming the construct and pointing at the in-kernel engine.

It knows no catalog: callers describe each source with a FlinkSource. Expression rendering
lives in flink/expressions.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import KsqlStatementError
from ..sql import ast
from ..types import BIGINT, SqlType
from .expressions import (Scope, Unsupported, epoch_ms, flink_type, interval, is_aggregate,
                          literal, output_name, quote, render, type_of, unsupported)

BOOTSTRAP = "${bootstrap.servers}"
DEFAULT_GRACE_MS = 24 * 3600 * 1000      # ksqlDB's default grace for windows and joins
RAW_KEY_TYPES = ("STRING", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN", "BYTES")
KEY_FORMATS = {"KAFKA": RAW_KEY_TYPES, "DELIMITED": ("STRING",)}
ROWTIME = "ROWTIME"


@dataclass(frozen=True)
class FlinkSource:
    """What the translation needs to know about a stream or table (the catalog's view)."""
    name: str
    kind: str                                       # STREAM | TABLE
    topic: str
    columns: tuple[tuple[str, SqlType, bool], ...]  # (name, type, is_key)
    key_format: str = "KAFKA"
    value_format: str = "JSON"
    timestamp_column: str | None = None
    timestamp_format: str | None = None
    partitions: int = 1
    windowed: bool = False

    def column(self, name: str):
        for col in self.columns:
            if col[0] == name:
                return col
        return None

    @property
    def key_columns(self) -> list[str]:
        return [n for n, _, k in self.columns if k]


@dataclass(frozen=True)
class FlinkPlan:
    """Flink SQL for one persistent query: ``statements`` run in order in one session; the
    last is the INSERT that starts the job. ``sink`` describes the output (topic, columns)."""
    name: str
    statements: tuple[str, ...]
    sink: FlinkSource
    description: str
    upsert: bool = False
    settings: dict = field(default_factory=dict)

    def render(self, bootstrap_servers: str) -> tuple[str, ...]:
        """The statements for a cluster; the placeholder only ever stands inside a quoted
        WITH value, so the address is escaped as a string literal's body."""
        body = literal(bootstrap_servers)[1:-1]
        return tuple(s.replace(BOOTSTRAP, body) for s in self.statements)

    @property
    def sql(self) -> str:
        return ";\n\n".join(self.statements) + ";"


# =========================================================================================
# Entry point
# =========================================================================================

def translate(statement: ast.Statement, sources: dict[str, FlinkSource],
              sink: FlinkSource | None = None, *, query_id: str | None = None,
              offset_reset: str = "earliest") -> FlinkPlan:
    """Translate a CREATE ... AS SELECT or INSERT INTO ... SELECT into a FlinkPlan.

    Raises KsqlStatementError (never half a plan) for anything Flink would run differently.
    """
    try:
        kind = type(statement).__name__
        handler = STATEMENTS.get(type(statement))
        if handler is None:
            unsupported(_STATEMENT_NAMES.get(kind, kind + " statements"), statement)
        return handler(statement, sources, sink, query_id, offset_reset)
    except Unsupported as exc:
        node = exc.node or statement
        pos = getattr(node, "pos", ast.NOPOS)
        raise KsqlStatementError(
            "%s cannot run on Flink: %s; the in-kernel engine runs it (%%ksql connect memory "
            "or kafka://...)" % (exc.construct, exc.reason),
            line=pos.line or None, column=pos.column or None,
            statement=statement.text or None) from None


_STATEMENT_NAMES = {"QueryStatement": "a transient query (pull or push query)",
                    "InsertValues": "INSERT INTO ... VALUES"}


def _create_as_select(stmt: ast.CreateAsSelect, sources, sink, query_id, offset_reset):
    props = {p.name: p.value for p in stmt.properties}
    return _plan(stmt.query, stmt.kind, stmt.name, props, sources, sink,
                 query_id or "C%sAS_%s" % (stmt.kind[0], stmt.name), offset_reset)


def _insert_into(stmt: ast.InsertInto, sources, sink, query_id, offset_reset):
    target = sink or sources.get(stmt.target)
    if target is None:
        raise Unsupported("INSERT INTO %s" % stmt.target, "the target is not known", stmt)
    return _plan(stmt.query, target.kind, stmt.target, {}, sources, target,
                 query_id or "INSERTQUERY_%s" % stmt.target, offset_reset)


STATEMENTS = {ast.CreateAsSelect: _create_as_select, ast.InsertInto: _insert_into}


# =========================================================================================
# The query
# =========================================================================================

@dataclass
class _Query:
    """Working state while one SELECT is translated."""
    select: ast.Select
    scope: Scope
    refs: list[ast.SourceRef]
    delays: dict[str, int]          # source alias -> watermark delay (ms)
    versioned: set[str]             # aliases read as versioned tables (temporal join right)


def _plan(select: ast.Select, kind: str, name: str, props: dict, sources, sink,
          query_id: str, offset_reset: str) -> FlinkPlan:
    _check_select(select)
    refs = _relations(select.from_)
    scope = Scope({r.ref_name: _lookup(sources, r) for r in refs}, select.window,
                  multi=len(refs) > 1)
    q = _Query(select, scope, refs, {}, set())
    from_sql, time_expr = _from_clause(q)
    out_cols, exprs = _outputs(q)
    grouped = bool(select.group_by)
    upsert = (grouped and select.window is None) or (
        not grouped and scope.sources[refs[0].ref_name].kind == "TABLE")
    sink_src = _sink_source(name, kind, props, out_cols, sink, scope.sources[refs[0].ref_name])
    ts_sql = ("MAX(%s)" % time_expr) if grouped else time_expr
    insert = _insert_sql(q, sink_src, out_cols, exprs, from_sql, ts_sql)
    ddl = [_source_ddl(scope.sources[r.ref_name], r.ref_name, q, query_id, offset_reset)
           for r in _distinct_sources(refs)]
    ddl.append(_sink_ddl(sink_src, upsert))
    settings = {"table.local-time-zone": "UTC", "parallelism.default": "1",
                "table.exec.source.idle-timeout": "2 s", "pipeline.name": query_id}
    stmts = tuple("SET %s = %s" % (literal(k), literal(v)) for k, v in settings.items()) \
        + tuple(ddl) + (insert,)
    desc = "%s: %s into topic %s (%s sink)" % (
        query_id, "windowed aggregation" if select.window else
        "aggregation" if grouped else "join" if len(refs) > 1 else "projection",
        sink_src.topic, "upsert-kafka" if upsert else "kafka")
    return FlinkPlan(query_id, stmts, sink_src, desc, upsert, settings)


def _check_select(select: ast.Select) -> None:
    if select.limit is not None:
        raise Unsupported("LIMIT", "a Flink job has no row limit", select)
    if select.emit == "FINAL" and select.window is None:
        raise Unsupported("EMIT FINAL", "it needs a windowed aggregation", select)
    if select.window is not None and not select.group_by:
        raise Unsupported("WINDOW without GROUP BY", "nothing to aggregate", select.window)
    if select.group_by and select.partition_by:
        raise Unsupported("PARTITION BY with GROUP BY", "the key is already the group key",
                          select)
    if len(select.partition_by) > 1:
        raise Unsupported("PARTITION BY of several expressions",
                          "a multi-column key has no KAFKA key format", select)
    for e in select.partition_by:
        if isinstance(e, ast.Literal):
            raise Unsupported("PARTITION BY %s" % ("NULL" if e.value is None else e.value),
                              "a constant key", e)


def _relations(rel: ast.Relation) -> list[ast.SourceRef]:
    if isinstance(rel, ast.SourceRef):
        return [rel]
    if isinstance(rel.left, ast.Join) or isinstance(rel.right, ast.Join):
        raise Unsupported("a join of more than two sources", "only two-way joins are "
                          "translated", rel)
    return [rel.left, rel.right]


def _distinct_sources(refs):
    seen, out = set(), []
    for r in refs:
        if r.name not in seen:
            seen.add(r.name)
            out.append(r)
    return out


def _lookup(sources, ref: ast.SourceRef) -> FlinkSource:
    src = sources.get(ref.name)
    if src is None:
        raise Unsupported(ref.name, "the source is not known", ref)
    if src.windowed:
        raise Unsupported("a windowed source (%s)" % ref.name,
                          "Flink cannot read ksqlDB's windowed keys", ref)
    if src.value_format.upper() != "JSON":
        raise Unsupported("VALUE_FORMAT='%s'" % src.value_format,
                          "only JSON values are translated", ref)
    return src


# =========================================================================================
# FROM: plain, windowed (TVF), temporal join, interval join
# =========================================================================================

def _from_clause(q: _Query) -> tuple[str, str]:
    """The FROM text and the event-time expression of the result's rows."""
    rel = q.select.from_
    if isinstance(rel, ast.Join):
        if q.select.window is not None:
            raise Unsupported("a windowed aggregation over a join",
                              "Flink needs a view with a time attribute there", q.select.window)
        return _join(q, rel)
    alias = rel.ref_name
    tname = _table_name(rel)
    if q.select.window is None:
        q.delays[alias] = 0
        return "%s AS %s" % (tname, quote(alias)), "%s.%s" % (quote(alias), quote(ROWTIME))
    return _windowed_from(q, rel, tname), quote(ROWTIME)


def _table_name(ref: ast.SourceRef) -> str:
    return quote(ref.name)


def _windowed_from(q: _Query, ref: ast.SourceRef, tname: str) -> str:
    w = q.select.window
    q.delays[ref.ref_name] = DEFAULT_GRACE_MS if w.grace is None else w.grace
    desc = "DESCRIPTOR(%s)" % quote(ROWTIME)
    if w.kind == "TUMBLING":
        tvf = "TUMBLE(TABLE %s, %s, %s)" % (tname, desc, interval(w.size))
    elif w.kind == "HOPPING":
        if w.size % w.advance:
            raise Unsupported("HOPPING window of SIZE %d ms ADVANCE BY %d ms" % (
                w.size, w.advance), "Flink needs the size to be a multiple of the advance", w)
        tvf = "HOP(TABLE %s, %s, %s, %s)" % (tname, desc, interval(w.advance), interval(w.size))
    else:
        keys = [g for g in q.select.group_by if isinstance(g, ast.ColumnRef)]
        if len(keys) != len(q.select.group_by):
            raise Unsupported("SESSION window grouped by an expression",
                              "Flink partitions sessions by plain columns", w)
        parts = ", ".join(quote(k.name) for k in keys)
        tvf = "SESSION(TABLE %s PARTITION BY %s, %s, %s)" % (tname, parts, desc,
                                                             interval(w.size))
    return "TABLE(%s) AS %s" % (tvf, quote(ref.ref_name))


def _join(q: _Query, j: ast.Join) -> tuple[str, str]:
    left, right = j.left, j.right
    ls, rs = q.scope.sources[left.ref_name], q.scope.sources[right.ref_name]
    la, ra = quote(left.ref_name), quote(right.ref_name)
    on = render(j.on, q.scope)
    kinds = (ls.kind, rs.kind)
    if kinds == ("STREAM", "TABLE"):
        return _temporal_join(q, j, rs, la, ra, on)
    if kinds == ("STREAM", "STREAM"):
        return _interval_join(q, j, la, ra, on)
    raise Unsupported("a %s-%s join" % kinds, "only stream-table and stream-stream joins are "
                      "translated", j)


def _temporal_join(q, j, rs, la, ra, on):
    if j.kind not in ("INNER", "LEFT"):
        raise Unsupported("%s JOIN of a stream with a table" % j.kind,
                          "Flink's temporal join is INNER or LEFT", j)
    if j.within is not None:
        raise Unsupported("WITHIN on a stream-table join", "ksqlDB rejects it too", j.within)
    _require_key_equality(j, rs, q.select.from_.right.ref_name)
    q.delays[j.left.ref_name] = 0
    q.delays[j.right.ref_name] = 0
    q.versioned.add(j.right.ref_name)
    sql = "%s AS %s %s JOIN %s FOR SYSTEM_TIME AS OF %s.%s AS %s ON %s" % (
        _table_name(j.left), la, "LEFT" if j.kind == "LEFT" else "INNER",
        _table_name(j.right), la, quote(ROWTIME), ra, on)
    return sql, "%s.%s" % (la, quote(ROWTIME))


def _require_key_equality(j: ast.Join, table: FlinkSource, alias: str) -> None:
    """A temporal join must look the table up by its primary key, as ksqlDB does."""
    keys = set(table.key_columns)
    refs = [e for e in (getattr(j.on, "left", None), getattr(j.on, "right", None))
            if isinstance(e, ast.ColumnRef)]
    ok = (isinstance(j.on, ast.BinaryOp) and j.on.op == "=" and any(
        r.name in keys and r.source in (alias, None, table.name) for r in refs))
    if not ok:
        raise Unsupported("a stream-table join not on the table's key",
                          "Flink's temporal join looks up the primary key", j.on)


def _interval_join(q, j, la, ra, on):
    if j.within is None:
        raise Unsupported("a stream-stream join without WITHIN", "it needs a time bound", j)
    w = j.within
    grace = DEFAULT_GRACE_MS if w.grace is None else w.grace
    q.delays[j.left.ref_name] = grace
    q.delays[j.right.ref_name] = grace
    lt, rt = "%s.%s" % (la, quote(ROWTIME)), "%s.%s" % (ra, quote(ROWTIME))
    kind = {"INNER": "INNER", "LEFT": "LEFT", "RIGHT": "RIGHT", "FULL": "FULL OUTER"}[j.kind]
    bound = "%s BETWEEN %s - %s AND %s + %s" % (rt, lt, interval(w.before), lt,
                                                interval(w.after))
    sql = "%s AS %s %s JOIN %s AS %s ON %s AND %s" % (
        _table_name(j.left), la, kind, _table_name(j.right), ra, on, bound)
    time_expr = {"INNER": lt, "LEFT": lt, "RIGHT": rt}.get(j.kind,
                                                          "COALESCE(%s, %s)" % (lt, rt))
    return sql, time_expr


# =========================================================================================
# SELECT list -> sink columns
# =========================================================================================

def _outputs(q: _Query):
    """Sink columns (name, type, is_key) and their Flink expressions, in sink order."""
    items = _expand(q)
    names, cols, exprs = set(), [], []
    counter = [0]
    key_exprs = list(q.select.group_by or q.select.partition_by)
    for item in items:
        expr = item.expr
        name = item.alias or output_name(expr, counter)
        if name in names:
            raise Unsupported("duplicate output column %s" % name, "rename it with AS", item)
        names.add(name)
        is_key = _is_key(expr, key_exprs, q)
        cols.append((name, type_of(expr, q.scope), is_key))
        exprs.append(render(expr, q.scope))
    if q.select.partition_by and not any(k for _, _, k in cols):
        raise Unsupported("PARTITION BY an expression not in the SELECT list",
                          "select the new key column", q.select.partition_by[0])
    if q.select.window is not None:
        for wname, col in (("WINDOW_START", "window_start"), ("WINDOW_END", "window_end")):
            cols.append((wname, BIGINT, False))
            exprs.append(_window_bound(q, col))
    return cols, exprs


def _window_bound(q: _Query, col: str) -> str:
    w = q.select.window
    if w.kind == "SESSION" and col == "window_end":
        # Flink's session ends gap after the last event; ksqlDB's at the last event.
        return "%s - %d" % (epoch_ms(col), w.size)
    return epoch_ms(col)


def _expand(q: _Query) -> list[ast.SelectItem]:
    out = []
    for item in q.select.items:
        if isinstance(item, ast.SelectItem):
            if isinstance(item.expr, ast.Lambda):
                raise Unsupported("a lambda", "Flink SQL has no lambdas", item.expr)
            out.append(item)
            continue
        if q.scope.multi:
            raise Unsupported("SELECT * over a join", "list the columns", item)
        alias, src = next(iter(q.scope.sources.items()))
        out.extend(ast.SelectItem(ast.ColumnRef(n, alias)) for n, _, _ in src.columns)
    return out


def _is_key(expr: ast.Expr, key_exprs: list, q: _Query) -> bool:
    if key_exprs:
        return any(_same(expr, k) for k in key_exprs)
    if not isinstance(expr, ast.ColumnRef):
        return False
    first = q.refs[0].ref_name
    src = q.scope.sources[first]
    return expr.source in (None, first, src.name) and expr.name in src.key_columns


def _same(a: ast.Expr, b: ast.Expr) -> bool:
    """Equal up to the qualifier of a column (GROUP BY x matches SELECT a.x)."""
    if isinstance(a, ast.ColumnRef) and isinstance(b, ast.ColumnRef):
        return a.name == b.name and (a.source is None or b.source is None
                                     or a.source == b.source)
    return a == b


def _sink_source(name, kind, props, cols, sink, first: FlinkSource) -> FlinkSource:
    if sink is not None:
        return _conform(sink, cols)
    key_fmt = props.get("KEY_FORMAT") or props.get("FORMAT") or first.key_format
    val_fmt = props.get("VALUE_FORMAT") or props.get("FORMAT") or first.value_format
    if str(val_fmt).upper() != "JSON":
        raise Unsupported("VALUE_FORMAT='%s'" % val_fmt, "only JSON values are translated")
    return FlinkSource(name=name, kind=kind, topic=str(props.get("KAFKA_TOPIC", name)),
                       columns=tuple(cols), key_format=str(key_fmt).upper(),
                       value_format="JSON",
                       partitions=int(props.get("PARTITIONS", first.partitions)))


def _conform(sink: FlinkSource, cols) -> FlinkSource:
    """A known sink (INSERT INTO, or the catalog's schema): match our columns by name."""
    mine = {n: (t, k) for n, t, k in cols}
    theirs = {n for n, _, _ in sink.columns}
    missing = [n for n in mine if n not in theirs and n not in ("WINDOW_START", "WINDOW_END")]
    if missing:
        raise Unsupported("column %s" % missing[0], "the sink %s has no such column"
                          % sink.name)
    order = [c for c in sink.columns if c[0] in mine] + [
        (n, t, k) for n, t, k in cols if n not in theirs]
    return replace(sink, columns=tuple(order))


# =========================================================================================
# DDL and the INSERT
# =========================================================================================

def _insert_sql(q: _Query, sink: FlinkSource, cols, exprs, from_sql, ts_sql) -> str:
    by_name = dict(zip([c[0] for c in cols], exprs))
    targets = [c[0] for c in sink.columns]
    select = [by_name[n] for n in targets] + [ts_sql]
    parts = ["INSERT INTO %s (%s)" % (quote("sink_" + sink.name),
                                       ", ".join(quote(n) for n in targets + [ROWTIME])),
             "SELECT " + ", ".join(select), "FROM " + from_sql]
    if q.select.where is not None:
        parts.append("WHERE " + render(q.select.where, q.scope))
    groups = [render(g, q.scope) for g in q.select.group_by]
    if q.select.window is not None:
        groups += ["window_start", "window_end"]
    if groups:
        parts.append("GROUP BY " + ", ".join(groups))
    if q.select.having is not None:
        parts.append("HAVING " + render(q.select.having, q.scope))
    return "\n".join(parts)


def _key_options(src: FlinkSource, upsert: bool) -> list[tuple[str, str]]:
    keys = [(n, t) for n, t, k in src.columns if k]
    if not keys:
        return []
    if len(keys) > 1:
        raise Unsupported("a key of %d columns (%s)" % (len(keys), src.name),
                          "Flink's raw key format holds one column")
    fmt = src.key_format.upper()
    allowed = KEY_FORMATS.get(fmt)
    if allowed is None or keys[0][1].base not in allowed:
        raise Unsupported("KEY_FORMAT='%s' with a %s key (%s)" % (fmt, keys[0][1], src.name),
                          "Flink's raw key format matches only KAFKA keys of primitive "
                          "types and DELIMITED STRING keys")
    opts = [("key.format", "raw")]
    if not upsert:
        opts.append(("key.fields", keys[0][0]))
    return opts


def _columns_ddl(src: FlinkSource, time_sql: str, watermark: str | None, upsert: bool):
    lines = ["  %s %s" % (quote(n), flink_type(t, n)) for n, t, _ in src.columns]
    lines.append("  " + time_sql)
    if watermark:
        lines.append("  " + watermark)
    keys = src.key_columns
    if upsert and keys:
        lines.append("  PRIMARY KEY (%s) NOT ENFORCED" % ", ".join(quote(k) for k in keys))
    return ",\n".join(lines)


def _with(opts: list[tuple[str, str]]) -> str:
    return "WITH (\n%s\n)" % ",\n".join("  %s = %s" % (literal(k), literal(v)) for k, v in opts)


def _source_time(src: FlinkSource) -> str:
    """ROWTIME: the record timestamp, or the TIMESTAMP column (BIGINT ms or formatted text)."""
    col = src.timestamp_column
    if col is None:
        return "%s TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL" % quote(ROWTIME)
    c = src.column(col)
    if c is None:
        raise Unsupported("TIMESTAMP='%s'" % col, "no such column in %s" % src.name)
    if c[1].base == "BIGINT":
        return "%s AS TO_TIMESTAMP_LTZ(%s, 3)" % (quote(ROWTIME), quote(col))
    if c[1].base == "STRING" and src.timestamp_format:
        return "%s AS CAST(TO_TIMESTAMP(%s, %s) AS TIMESTAMP_LTZ(3))" % (
            quote(ROWTIME), quote(col), literal(src.timestamp_format))
    raise Unsupported("TIMESTAMP='%s' of type %s" % (col, c[1]),
                      "use a BIGINT column or a STRING with TIMESTAMP_FORMAT")


def _source_ddl(src: FlinkSource, alias: str, q: _Query, query_id: str,
                offset_reset: str) -> str:
    delay = max([q.delays.get(a, 0) for a, s in q.scope.sources.items() if s is src] or [0])
    watermark = "WATERMARK FOR %s AS %s - %s" % (quote(ROWTIME), quote(ROWTIME),
                                                 interval(delay))
    upsert = src.kind == "TABLE"
    opts = [("connector", "upsert-kafka" if upsert else "kafka"), ("topic", src.topic),
            ("properties.bootstrap.servers", BOOTSTRAP),
            ("properties.group.id", "flink_" + query_id)]
    if not upsert:
        opts.append(("scan.startup.mode", "%s-offset" % offset_reset))
    if upsert and not src.key_columns:
        raise Unsupported("a TABLE without a PRIMARY KEY (%s)" % src.name,
                          "Flink's upsert-kafka needs one")
    opts += _key_options(src, upsert) or [("key.format", "raw")] * upsert
    opts += _value_options(src)
    return "CREATE TEMPORARY TABLE %s (\n%s\n) %s" % (
        quote(src.name), _columns_ddl(src, _source_time(src), watermark, upsert), _with(opts))


def _value_options(src: FlinkSource) -> list[tuple[str, str]]:
    opts = [("value.format", "json"), ("value.json.ignore-parse-errors", "true"),
            ("value.json.fail-on-missing-field", "false")]
    if src.key_columns:
        opts.append(("value.fields-include", "EXCEPT_KEY"))
    return opts


def _sink_ddl(sink: FlinkSource, upsert: bool) -> str:
    time_sql = "%s TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'" % quote(ROWTIME)
    if upsert and not sink.key_columns:
        raise Unsupported("an aggregation without a key column in the SELECT list",
                          "the upsert sink needs the group key")
    opts = [("connector", "upsert-kafka" if upsert else "kafka"), ("topic", sink.topic),
            ("properties.bootstrap.servers", BOOTSTRAP)]
    if not upsert:
        opts.append(("sink.partitioner", "default"))
    opts += _key_options(sink, upsert)
    opts += [o for o in _value_options(sink) if not o[0].startswith("value.json")]
    return "CREATE TEMPORARY TABLE %s (\n%s\n) %s" % (
        quote("sink_" + sink.name), _columns_ddl(sink, time_sql, None, upsert), _with(opts))


__all__ = ["FlinkSource", "FlinkPlan", "translate", "BOOTSTRAP", "is_aggregate"]
