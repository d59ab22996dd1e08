"""CREATE OR REPLACE ... AS SELECT as ksqlDB does it: an in-place upgrade of the running query.

The query keeps its id, its read positions and its state; only what it computes from the
next record on changes (a new filter, a new projection). ksqlDB allows this for the plans
it has reasoned about and refuses the rest with its own messages (ExecutionStep
.validateUpgrade): joins and windowed or table aggregations are not upgradeable, and a
stream aggregation must keep the columns it reads besides its aggregates, since its state
was built from them.

Kept apart from the statement handler (``executor.create_as_select``), which calls
``upgrade_in_place`` when a CREATE OR REPLACE names a source a running query writes.
"""

from __future__ import annotations

import dataclasses

from .errors import KsqlStatementError
from .runtime.aggregate import Aggregator
from .sql import ast


def _err(node, msg: str) -> KsqlStatementError:
    pos = getattr(node, "pos", None)
    return KsqlStatementError(msg, (pos.line or None) if pos else None,
                              (pos.column or None) if pos else None)


# ---------------------------------------------------------------------- what may change ---

def step_type(plan) -> str | None:
    """ksqlDB's name for the plan's stateful step (None for a stateless plan)."""
    op = plan.stateful
    if op is None:
        return None
    if isinstance(op, Aggregator):
        if op.o.windows is not None:
            return "StreamWindowedAggregate"
        return "TableAggregate" if op.o.table_keys else "StreamAggregate"
    name = type(op).__name__
    return {"ForeignKeyJoin": "ForeignKeyTableTableJoin", "JoinChain": "StreamStreamJoin",
            "JoinAggregate": "StreamAggregate"}.get(name, name)


def _in_order(node):
    """Expression nodes below ``node``, left to right (the order ksqlDB lists columns in)."""
    if node is None:
        return
    yield node
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            for x in (v if isinstance(v, tuple) else (v,)):
                if isinstance(x, ast.Node):
                    yield from _in_order(x)


def _column_names(nodes) -> list[str]:
    out: list[str] = []
    for n in nodes:
        for x in _in_order(n):
            name = None
            if isinstance(x, ast.ColumnRef):
                name = x.name
            elif isinstance(x, ast.FunctionCall) and x.star:
                name = "ROWTIME"             # COUNT(*) counts ROWTIME in ksqlDB's plan
            if name is not None and name not in out:
                out.append(name)
    return out


def non_aggregate_columns(select: ast.Select, is_aggregate) -> list[str]:
    """The columns an aggregation reads besides its results: GROUP BY columns, the aggregate
    calls' arguments, then the filter's columns (ksqlDB's StreamAggregate nonAggregateColumns)."""
    calls = [x for item in select.items for x in _in_order(getattr(item, "expr", None))
             if isinstance(x, ast.FunctionCall) and is_aggregate(x.name)]
    return _column_names(list(select.group_by) + calls + [select.where])


def _aggregates(select: ast.Select, is_aggregate) -> list:
    return [x for item in select.items for x in _in_order(getattr(item, "expr", None))
            if isinstance(x, ast.FunctionCall) and is_aggregate(x.name)]


def check_upgrade(engine, old_stmt, new_stmt, old_plan, new_plan) -> None:
    """Refuse an in-place upgrade ksqlDB cannot do, with ksqlDB's message."""
    old_step, new_step = step_type(old_plan), step_type(new_plan)
    for step in (old_step, new_step):
        if step in ("StreamWindowedAggregate", "TableAggregate", "StreamTableJoin",
                    "StreamStreamJoin", "TableTableJoin", "ForeignKeyTableTableJoin"):
            raise _err(new_stmt, "Upgrades not yet supported for %s" % step)
    old_topics = [b.source.topic for b in old_plan.inputs]
    new_topics = [b.source.topic for b in new_plan.inputs]
    if old_topics != new_topics:
        kind = "TableSource" if old_plan.inputs[0].source.kind == "TABLE" else "StreamSource"
        raise _err(new_stmt, "Query is not upgradeable. Plan step of type %s must have matching "
                             "topicName. Values differ: %s vs. %s"
                   % (kind, ", ".join(old_topics), ", ".join(new_topics)))
    if old_step != new_step:
        raise _err(new_stmt, "Query is not upgradeable. Plan step of type %s cannot become %s."
                   % (old_step or "StreamSelect", new_step or "StreamSelect"))
    if new_step == "StreamAggregate":
        agg = lambda name: engine.functions.kind(name) == "aggregate"   # noqa: E731
        before = non_aggregate_columns(old_stmt.query, agg)
        after = non_aggregate_columns(new_stmt.query, agg)
        if before != after:
            raise _err(new_stmt, "StreamAggregate must have matching columns not part of aggregate. "
                                 "Values differ: [%s] vs. [%s]"
                       % (", ".join("`%s`" % c for c in before), ", ".join("`%s`" % c for c in after)))
        if _aggregates(old_stmt.query, agg) != _aggregates(new_stmt.query, agg) or \
                list(old_stmt.query.group_by) != list(new_stmt.query.group_by):
            raise _err(new_stmt, "StreamAggregate must have matching aggregation functions and "
                                 "GROUP BY: an upgrade may change only the filter.")


# ---------------------------------------------------------------------- the upgrade ---

def upgrade_in_place(old_query, new_query) -> None:
    """Hand the running query's read positions and operator state to ``new_query`` (built
    from the new plan, same id), then stop the old one. Everything that can fail happens
    before the old query stops, so a refused upgrade leaves it running as it was."""
    with old_query.lock:
        old_query.flush_pending()
        if old_query.plan.stateful is not None and new_query.plan.stateful is not None:
            new_query.plan.stateful.restore_state(old_query.plan.stateful.snapshot_state())
        for inp, old in zip(new_query.inputs, old_query.inputs):
            inp.positions.update(old.positions)
            inp.buffers = {p: [] for p in inp.positions}
        new_query.stats = old_query.stats
        if old_query.state == "PAUSED":
            new_query.state = "PAUSED"
        old_query.stop()


def replacing(engine, stmt, plan):
    """The running query a CREATE OR REPLACE ... AS SELECT upgrades (after checking that
    ksqlDB could upgrade it), or None when the statement creates a new query."""
    old = engine.catalog.sources.get(stmt.name)
    if not getattr(stmt, "or_replace", False) or old is None or old.query_id not in engine.queries:
        return None
    from .sql.parser import parse_statement
    old_stmt = parse_statement(old.sql)
    old_query = engine.queries[old.query_id]
    if isinstance(old_stmt, ast.CreateAsSelect):
        check_upgrade(engine, old_stmt, stmt, old_query.plan, plan)
    return old_query
