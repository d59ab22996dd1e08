"""INSERT INTO ... VALUES: one row, typed against the target's schema, written to its topic.

Values are constant expressions compiled with the target's column types, so the same
implicit widening and CAST rules apply as in queries.
"""

from __future__ import annotations

from .compiler.expressions import ExprCompiler
from .compiler.scope import Scope
from .errors import KsqlStatementError
from .results import Result
from .runtime.sink import Emit, TopicSink


def _err(node, msg):
    return KsqlStatementError(msg, node.pos.line or None, node.pos.column or None)


def insert_values(engine, stmt) -> Result:
    target = engine.catalog.get(stmt.target, stmt.pos)
    if target.is_source_table:
        raise _err(stmt, "Cannot insert values into read-only %s: %s" % (target.kind.lower(), target.name))
    names = list(stmt.columns) or [c.name for c in target.key_columns + target.value_columns]
    if len(names) != len(stmt.values):
        raise _err(stmt, "Expected a value for each column. Expected Columns: %s. Got %s"
                   % (names, [str(v) for v in stmt.values]))
    comp = ExprCompiler(Scope(), engine.functions, custom_types=engine.catalog.types)
    given = {}
    for name, expr in zip(names, stmt.values):
        col = target.column(name)
        if name in ("ROWTIME", "ROWPARTITION", "ROWOFFSET") and col is None:
            c = comp.compile(expr)
            given[name] = comp.to_function(c)([])
            continue
        if col is None:
            raise _err(expr, "Column name %s does not exist." % name)
        c = comp.compile(expr)
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
        given[name] = comp.to_function(c)([])
    keys = [given.get(c.name) for c in target.key_columns]
    values = [given.get(c.name) for c in target.value_columns]
    ts = given.get("ROWTIME")
    if ts is None and target.timestamp_column:
        ts = given.get(target.timestamp_column)
    import time
    ts = int(ts) if ts is not None else int(time.time() * 1000)
    sink = TopicSink(target, engine.broker, engine.processing_log)
    sink.write([Emit(keys, values, ts)])
    return Result("message", "Inserted 1 row into %s" % target.name)
