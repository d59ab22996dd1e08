"""Pull queries: the current state of a table (or the current contents of a stream), now.

A table's state is its topic read as a changelog (latest row per key and window, tombstones
delete); a stream's is every record it holds. WHERE and the projection are the plan's own
compiled functions, so a pull query agrees with the push query over the same source.
"""

from __future__ import annotations

from .errors import KsqlStatementError
from .results import Result
from .runtime.reader import RowError, SourceReader


def _state_rows(engine, binding) -> list[list]:
    reader = SourceReader(binding)
    rows = []
    state: dict = {}
    key_n = reader.key_count
    for rec in engine.broker.records(binding.source.topic):
        try:
            row, deleted = reader.row(rec)
        except RowError:
            continue
        if not reader.is_table:
            rows.append(row)
            continue
        window = (rec.key,) if binding.source.window is not None else ()
        key = tuple(_hashable(v) for v in row[:key_n]) + window
        if deleted:
            state.pop(key, None)
        else:
            state[key] = row
    return rows if not reader.is_table else list(state.values())


def _hashable(v):
    if isinstance(v, (list, dict)):
        return repr(v)
    return v


def pull_query(engine, planner, stmt) -> Result:
    select = stmt.query
    plan = planner.plan(select, persistent=False)
    if len(plan.inputs) != 1 or plan.stateful is not None:
        raise KsqlStatementError("Pull queries don't support JOIN, GROUP BY or WINDOW clauses. "
                                 "Add EMIT CHANGES to run this as a push query.",
                                 select.pos.line or None, select.pos.column or None)
    rows = _state_rows(engine, plan.inputs[0])
    out = []
    for row in rows:
        try:
            if plan.where is not None and plan.where(row) is not True:
                continue
            out.append([c.fn(row) for c in plan.columns])
        except Exception:  # noqa: BLE001 - a row that breaks an expression is left out
            continue
        if plan.limit is not None and len(out) >= plan.limit:
            break
    return Result("table", "", [c.name for c in plan.columns], out)
