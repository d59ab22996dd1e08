"""Pull queries: the current state of a table (or the current contents of a stream), now.

A table's state is its topic read as a changelog (latest row per key and window, tombstones
delete); a stream's is every record it holds, by partition then offset. WHERE and the
projection are the plan's own compiled functions, so a pull query agrees with the push query
over the same source.

Order follows ksqlDB's state stores, since LIMIT keeps the first rows: a table scan walks
the partitions in turn and, within one, the serialized keys in byte order (RocksDB); key
lookups go partition by partition, in the order the keys were written in the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .compiler.scope import Scope
from .errors import KsqlStatementError
from .pull_rules import check_clauses, flag
from .pull_where import PULL_HELP, TableShape, check_null_comparisons, read_plan
from .results import Result
from .runtime.reader import RowError, SourceReader
from .sql import ast
from .types import shown_row


@dataclass
class _Entry:
    """One row of a table's state and where its store keeps it."""
    row: list
    partition: int
    key_bytes: bytes


def _hashable(v):
    if isinstance(v, (list, dict)):
        return repr(v)
    return v


def _key_of(row: list, key_n: int) -> tuple:
    return tuple(_hashable(v) for v in row[:key_n])


def _stream_rows(engine, binding) -> list[list]:
    reader = SourceReader(binding)
    rows = []
    for rec in engine.broker.records(binding.source.topic):
        try:
            rows.append(reader.row(rec)[0])
        except RowError:
            continue
    return rows


def materialization_start(engine, topic: str, kind: str) -> Optional[dict]:
    """Where a new CREATE TABLE ... AS SELECT's state starts: the end of each partition of
    its topic now (records already there belong to an earlier query), None for streams."""
    from .runtime.query import _end_offset
    info = engine.broker.topic(topic)
    if kind != "TABLE" or info is None:
        return None
    return {p: _end_offset(engine.broker, topic, p) for p in range(info.partitions)}


def _table_records(engine, source):
    """The records of a table's topic that belong to its materialization."""
    start = source.materialized_from
    for rec in engine.broker.records(source.topic):
        if start is None or rec.offset >= start.get(rec.partition, 0):
            yield rec


def _table_state(engine, binding) -> list[_Entry]:
    """The latest row of every key (and window) still present, with its partition and key
    bytes (a windowed key's bytes carry the window, so they order windows too)."""
    reader = SourceReader(binding)
    state: dict = {}
    windowed = binding.source.window is not None
    for rec in _table_records(engine, binding.source):
        try:
            row, deleted = reader.row(rec)
        except RowError:
            continue
        key = _key_of(row, reader.key_count) + ((rec.key,) if windowed else ())
        if deleted:
            state.pop(key, None)
        else:
            state[key] = _Entry(row, rec.partition, rec.key or b"")
    return list(state.values())


def _ordered(entries: list[_Entry], plan, key_n: int) -> list[list]:
    """Rows in the order ksqlDB's store reads them for a scan (``plan`` SCAN or a range) or
    for a list of key lookups."""
    if not isinstance(plan, list):
        return [e.row for e in sorted(entries, key=lambda e: (e.partition, e.key_bytes))]
    rank = {tuple(_hashable(v) for v in key): i for i, key in enumerate(plan)}
    hits = [(e, rank.get(_key_of(e.row, key_n))) for e in entries]
    hits = [(e, i) for e, i in hits if i is not None]
    hits.sort(key=lambda h: (h[0].partition, h[1], h[0].key_bytes))
    return [e.row for e, _ in hits]


def _check_sources(catalog, rel) -> None:
    """Unknown sources are reported before any pull-query rule (ksqlDB analyzes first)."""
    if isinstance(rel, ast.Join):
        _check_sources(catalog, rel.left)
        _check_sources(catalog, rel.right)
    elif isinstance(rel, ast.SourceRef):
        catalog.get(rel.name, rel.pos)


def _check_queryable(source, select) -> None:
    """Only tables ksqlDB materializes (CREATE ... AS SELECT, CREATE SOURCE TABLE) hold a
    state store a pull query can read; a plain CREATE TABLE does not."""
    if source.kind != "TABLE" or source.is_cas_target or source.is_source_table:
        return
    raise KsqlStatementError(
        "The `%s` table isn't queryable. To derive a queryable table, you can do "
        "'CREATE TABLE QUERYABLE_%s AS SELECT * FROM %s'.%s"
        % (source.name, source.name, source.name, PULL_HELP),
        select.from_.pos.line or None, select.from_.pos.column or None)


def _table_rows(engine, planner, select, plan) -> list[list]:
    binding = plan.inputs[0]
    props = engine.properties

    def constant(expr):
        fn, t = planner.compiler(Scope()).function(expr)
        return fn([]), t

    keys = read_plan(select.where, TableShape(binding.source, binding.scope),
                     scans=flag(props, "ksql.query.pull.table.scan.enabled"),
                     ranges=flag(props, "ksql.query.pull.range.scan.enabled"),
                     constant=constant)
    _check_queryable(binding.source, select)
    return _ordered(_table_state(engine, binding), keys, binding.key_count)


def _project(plan, rows: list[list], limit: Optional[int]) -> list[list]:
    out: list[list] = []
    for row in rows:
        if limit is not None and len(out) >= limit:
            break
        try:
            if plan.where is not None and plan.where(row) is not True:
                continue
            out.append([c.fn(row) for c in plan.columns])
        except Exception:  # noqa: BLE001 - a row that breaks an expression is left out
            continue
    return out


def pull_query(engine, planner, stmt) -> Result:
    select = stmt.query
    _check_sources(planner.catalog, select.from_)
    check_clauses(select, engine.properties)
    plan = planner.plan(select, persistent=False)
    if len(plan.inputs) != 1 or plan.stateful is not None:
        # an aggregate without GROUP BY groups the whole source: still a GROUP BY to ksqlDB
        raise KsqlStatementError("Pull queries don't support GROUP BY clauses." + PULL_HELP,
                                 select.pos.line or None, select.pos.column or None)
    where_scope = plan.scope.with_clause("WHERE")
    check_null_comparisons(select.where, lambda e: planner.compiler(where_scope).compile(e).type)
    binding = plan.inputs[0]
    if binding.source.kind == "TABLE":
        rows = _table_rows(engine, planner, select, plan)
    else:
        rows = _stream_rows(engine, binding)
    types = [c.type for c in plan.columns]
    shown = [shown_row(r, types) for r in _project(plan, rows, plan.limit)]
    return Result("table", "", [c.name for c in plan.columns], shown,
                  column_types={c.name: c.type for c in plan.columns})


def snapshot(engine, planner, name: str) -> Result:
    """Every current row of a source for pandas export: a table's state (in scan order) or a
    stream's records. Unlike a pull query it reads any table, also one ksqlDB would not
    let a pull query read (a plain CREATE TABLE), since the export reads the topic itself."""
    from .executor import select_all
    select = select_all(name).query
    plan = planner.plan(select, persistent=False)
    binding = plan.inputs[0]
    if binding.source.kind == "TABLE":
        rows = _ordered(_table_state(engine, binding), None, binding.key_count)
    else:
        rows = _stream_rows(engine, binding)
    return Result("table", "", [c.name for c in plan.columns], _project(plan, rows, None),
                  column_types={c.name: c.type for c in plan.columns})
