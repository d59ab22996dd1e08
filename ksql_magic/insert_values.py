"""INSERT INTO ... VALUES: one row, typed against the target's schema, written to its topic.

Values are constant expressions compiled with the target's column types, so the same
implicit widening and CAST rules apply as in queries.
"""

from __future__ import annotations

from .catalog import PSEUDO_COLUMN_NAMES, ROW_POSITION_COLUMNS
from .compiler.expressions import ExprCompiler
from .compiler.scope import Scope
from .errors import KsqlStatementError
from .results import Result
from .runtime.sink import Emit, TopicSink
from .sql.format import format_expression


def _err(node, msg):
    return KsqlStatementError(msg, node.pos.line or None, node.pos.column or None)


def _check_explicit_count(stmt) -> None:
    """ksqlDB checks this while building the statement, before it looks the target up."""
    if stmt.columns and len(stmt.columns) != len(stmt.values):
        raise _err(stmt, "Failed to prepare statement: Expected number columns and values to match: "
                         "%d, %d" % (len(stmt.columns), len(stmt.values)))


def _target_columns(stmt, target) -> list:
    """The named columns, or every key and value column when the statement names none."""
    if stmt.columns:
        return list(stmt.columns)
    names = [c.name for c in target.key_columns + target.value_columns]
    if len(names) != len(stmt.values):
        raise _err(stmt, "Expected a value for each column. Expected Columns: [%s]. Got [%s]" % (
            ", ".join("`%s`" % n for n in names), ", ".join(format_expression(v) for v in stmt.values)))
    return names


def _check_column(target, name: str, expr) -> None:
    """Unknown columns first, then the pseudo columns no row may set (ksqlDB's order): ROWTIME
    sets the record time, a record's partition and offset exist only once Kafka stored it."""
    if target.column(name) is None and name not in PSEUDO_COLUMN_NAMES:
        raise _err(expr, "Column name `%s` does not exist." % name)
    if name in ROW_POSITION_COLUMNS and target.column(name) is None:
        raise _err(expr, "Inserting into column `%s` is not allowed." % name)


def _evaluate(comp, compiled, expr, target, name: str):
    """The value of one constant expression. One that cannot be computed ('abc' as a
    DECIMAL, a division by zero) refuses the row, at the value, before anything is written."""
    try:
        return comp.to_function(compiled)([])
    except KsqlStatementError:
        raise
    except Exception as e:  # noqa: BLE001 - any evaluation failure is the value's fault
        reason = str(e) or type(e).__name__
        if reason.startswith("[<class 'decimal."):
            reason = "not a number"
        raise _err(expr, "Failed to insert values into '%s'. Cannot evaluate the value %s for "
                         "column `%s`: %s" % (target.name, format_expression(expr), name, reason)) from None


def insert_values(engine, stmt) -> Result:
    _check_explicit_count(stmt)
    target = engine.catalog.get(stmt.target, stmt.pos)
    if target.is_source_table:
        raise _err(stmt, "Cannot insert values into read-only %s: %s" % (target.kind.lower(), target.name))
    names = _target_columns(stmt, target)
    for name, expr in zip(names, stmt.values):
        _check_column(target, name, expr)
    comp = ExprCompiler(Scope(), engine.functions, custom_types=engine.catalog.types)
    given = {}
    for name, expr in zip(names, stmt.values):
        col = target.column(name)
        if col is None:      # ROWTIME
            c = comp.compile(expr)
            given[name] = _evaluate(comp, c, expr, target, name)
            continue
        c = comp.compile(expr)
        if c.type.base == "BIGINT" and col.type.base == "INTEGER":
            # Java's long does not narrow to int implicitly: ksqlDB refuses, never wraps
            raise _err(expr, "Expected type %s for field %s but got %s(%s)"
                       % (col.type, name, format_expression(expr), c.type))
        try:
            c = comp.convert(c, col.type, expr, explicit=False)
        except KsqlStatementError:
            raise _err(expr, "Expected type %s for field %s but got %s(%s)"
                       % (col.type, name, c.type, expr))
        if c.type != col.type and c.type.base != "NULL":
            try:
                c = comp.convert(c, col.type, expr, explicit=True)
            except KsqlStatementError:
                raise _err(expr, "Expected type %s for field %s but got %s"
                           % (col.type, name, c.type))
        given[name] = _evaluate(comp, c, expr, target, name)
    keys = [given.get(c.name) for c in target.key_columns]
    values = [given.get(c.name) for c in target.value_columns]
    ts = given.get("ROWTIME")
    if ts is None and target.timestamp_column:
        ts = _column_time(stmt, target, given)
    import time
    ts = int(ts) if ts is not None else int(time.time() * 1000)
    sink = TopicSink(target, engine.broker, engine.processing_log)
    sink.write([Emit(keys, values, ts)])
    return Result("message", "Inserted 1 row into %s" % target.name)


def _column_time(stmt, target, given: dict):
    """The record time the source's TIMESTAMP column gives, read exactly as a query reads it
    (a VARCHAR column through TIMESTAMP_FORMAT), so the row lands where queries expect it."""
    from .runtime.reader import timestamp_extractor
    extract = timestamp_extractor(target)
    if extract is None:
        return given.get(target.timestamp_column)
    layout = target.key_columns + target.value_columns + target.header_columns
    try:
        return extract([given.get(c.name) for c in layout])
    except (ValueError, KsqlStatementError) as e:
        fmt = target.timestamp_format
        raise _err(stmt, "Failed to insert values into '%s'. Cannot parse the TIMESTAMP column %s "
                         "value '%s'%s: %s" % (
                             target.name, target.timestamp_column, given.get(target.timestamp_column),
                             " with TIMESTAMP_FORMAT '%s'" % fmt if fmt else "", e)) from None
