"""Planning of aggregate queries: GROUP BY keys, aggregate calls, WINDOW, HAVING, projection.

Why apart from the planner: the post-aggregation row layout (group keys, aggregate results,
window bounds) and ksqlDB's rules about which expressions a grouped projection may contain
are their own concern; the runtime half is ``runtime.aggregate``.
"""

from __future__ import annotations

from . import types as T
from .catalog import WindowInfo
from .compiler.scope import Scope
from .errors import KsqlStatementError
from .functions.registry import NotConstant
from .plan import OutputColumn, QueryPlan
from .planner import _err, default_name, describe_plan, walk
from .runtime import windows as W
from .runtime.aggregate import AggOptions, AggSpec, Aggregator
from .sql import ast

CACHE_PROPERTY = "ksql.streams.cache.max.bytes.buffering"


def plan_aggregate(planner, select: ast.Select, binding, *, sink_name, persistent) -> QueryPlan:
    scope = binding.scope
    where = None
    if select.where is not None:
        where = planner.compiler(scope.with_clause("WHERE")).predicate(select.where, "WHERE")
    items = planner.expand_items(select, scope, binding.source.window)
    calls = _aggregate_calls(planner, [e for e, _ in items] + [select.having])
    post, subs, key_fns, key_types = _post_scope(planner, select, binding, calls)
    aggs = [_resolve(planner, scope, c) for c in calls]
    _check_functions(select, binding, aggs)
    for c, a, i in zip(calls, aggs, range(len(calls))):
        subs[c] = post.add("KSQL_AGG_%d" % i, a.fn.return_type, (), "AGG")
    if select.window is not None:
        for name, t in (("WINDOWSTART", T.BIGINT), ("WINDOWEND", T.BIGINT)):
            post.add(name, t, _quals(binding), "WINDOW")
    columns, key_proj, val_proj = _projection(planner, select, items, post, subs, persistent, sink_name)
    having = None
    if select.having is not None:
        having = planner.compiler(post.with_clause("HAVING"), subs).predicate(select.having, "HAVING")
    wdef = W.from_spec(select.window) if select.window is not None else None
    cache = str(planner.properties.get(CACHE_PROPERTY, "10000000")) not in ("0",)
    opts = AggOptions(key_fns=key_fns, aggs=aggs, key_proj=key_proj, value_proj=val_proj,
                      ts_slot=binding.rowtime_index, where=where, having=having, windows=wdef,
                      table_keys=binding.key_count if binding.source.kind == "TABLE" else 0,
                      cache=cache, emit_final=select.emit == "FINAL",
                      freeze_keys=any(t.base in ("STRUCT", "ARRAY", "MAP") for t in key_types),
                      by_source_partition=_groups_by_source_key(select, binding))
    if opts.table_keys == 0 and binding.source.kind == "TABLE":
        opts.table_keys = 1
    windowed = None
    if select.window is not None:
        windowed = WindowInfo(select.window.kind, None if select.window.kind == "SESSION" else select.window.size)
    plan = QueryPlan(result_kind="TABLE", inputs=[binding], scope=post, columns=columns, where=where,
                     stateful=Aggregator(opts), limit=select.limit, windowed=windowed,
                     emit_final=select.emit == "FINAL", pull=False)
    plan.description = describe_plan(plan, select)
    plan.description.insert(1, "    > [ AGGREGATE ] | %d aggregates%s" % (
        len(aggs), " | WINDOW %s" % select.window.kind if select.window else ""))
    return plan


# Aggregates whose intermediate state is a STRUCT, ARRAY or MAP: value formats without
# those types cannot hold their state (ksqlDB stores it in the source's value format).
COMPLEX_STATE = {"AVG", "STDDEV_SAMP", "STDDEV_SAMPLE", "CORRELATION", "TOPK", "TOPKDISTINCT",
                 "COLLECT_LIST", "COLLECT_SET", "HISTOGRAM", "EARLIEST_BY_OFFSET",
                 "LATEST_BY_OFFSET", "COUNT_DISTINCT"}
PRIMITIVE_FORMATS = {"DELIMITED", "KAFKA"}


def _check_functions(select, binding, aggs) -> None:
    """ksqlDB's two statement-level limits on aggregate functions."""
    names = [a.fn.name.upper() for a in aggs]
    if binding.source.value_format.upper() in PRIMITIVE_FORMATS and any(n in COMPLEX_STATE for n in names):
        raise KsqlStatementError("One of the functions used in the statement has an intermediate type "
                                 "that the value format can not handle. Please remove the function or "
                                 "change the format.")
    if binding.source.kind == "TABLE":
        bad = [n for n, a in zip(names, aggs) if not a.fn.supports_undo]
        if bad:
            listed = bad[0] if len(bad) == 1 else "%s and %s" % (", ".join(bad[:-1]), bad[-1])
            raise _err(select, "The aggregation function%s %s cannot be applied to a table source, only "
                               "to a stream source." % ("s" if len(bad) > 1 else "", listed))


def _groups_by_source_key(select, binding) -> bool:
    """GROUP BY exactly the source's key columns: no repartition, so each input partition is
    its own task with its own stream time (otherwise every record goes through one task)."""
    scope = binding.scope
    keys = [s for s in scope.slots if s.namespace == "KEY"]
    if not keys or len(select.group_by) != len(keys):
        return False
    for g, k in zip(select.group_by, keys):
        if not isinstance(g, ast.ColumnRef):
            return False
        try:
            if scope.resolve(g).index != k.index:
                return False
        except KsqlStatementError:
            return False
    return True


def _quals(binding) -> tuple:
    return (binding.alias, binding.source.name) if binding.alias != binding.source.name else (binding.alias,)


def _aggregate_calls(planner, exprs) -> list:
    """Distinct aggregate calls (structural equality), in order of appearance."""
    seen: list = []
    for e in exprs:
        for node in reversed(list(walk(e))):
            if isinstance(node, ast.FunctionCall) and planner.registry.kind(node.name) == "aggregate":
                if node not in seen:
                    seen.append(node)
    return seen


def _post_scope(planner, select, binding, calls):
    """Slots for the group keys; GROUP BY expressions substitute to them."""
    scope = binding.scope
    comp = planner.compiler(scope.with_clause("GROUP BY"))
    post = Scope()
    subs: dict = {}
    key_fns, key_types = [], []
    for i, g in enumerate(select.group_by):
        fn, t = comp.function(g)
        key_fns.append(fn)
        key_types.append(t)
        name = g.name if isinstance(g, ast.ColumnRef) else "KSQL_GROUP_%d" % i
        quals = _quals(binding) if isinstance(g, ast.ColumnRef) else ()
        slot = post.add(name, t, quals, "KEY")
        subs[g] = slot
        if isinstance(g, ast.ColumnRef):
            src_slot = scope.resolve(g)
            for q in (None,) + tuple(src_slot.qualifiers):
                subs[ast.ColumnRef(src_slot.name, q)] = slot
    return post, subs, key_fns, key_types


def _resolve(planner, scope, call: ast.FunctionCall) -> AggSpec:
    comp = planner.compiler(scope.with_clause("SELECT"))
    args, types, consts = [], [], []
    if not call.star:
        for a in call.args:
            fn, t = comp.function(a)
            args.append(fn)
            types.append(t)
            consts.append(a.value if isinstance(a, ast.Literal) else NotConstant(_text(a)))
    fn = planner.registry.resolve_aggregate(call.name, types, consts)
    fn.configure(planner.properties)
    return AggSpec(fn, args[:fn.value_args])


def _check_columns(select, key_cols, values) -> None:
    if not values:
        raise _err(select, "The projection contains no value columns.")
    seen = {c.name for c in key_cols}
    for c in values:
        if c.name in seen:
            raise _err(select, "Duplicate value columns found in schema: `%s` %s" % (c.name, c.type))
        seen.add(c.name)


def _text(e) -> str:
    try:
        from .sql.format import format_expression
        return format_expression(e)
    except Exception:  # noqa: BLE001 - the text is only for messages
        return str(e)


def _projection(planner, select, items, post, subs, persistent, sink_name):
    comp = planner.compiler(post.with_clause("SELECT"), subs)
    counter = [0]
    taken = {alias for _, alias in items if alias}
    keys: dict[int, OutputColumn] = {}
    values: list[OutputColumn] = []
    bad = []
    for expr, alias in items:
        name = alias or default_name(expr, counter, taken)
        taken.add(name)
        planner.check_alias(name, alias, expr, persistent)
        key_slot = subs.get(expr)
        try:
            fn, t = comp.function(expr)
        except KsqlStatementError:
            bad.append(expr)
            continue
        if key_slot is not None and key_slot.namespace == "KEY" and key_slot.index in keys and persistent:
            raise _err(select, "The projection contains a key column more than once: `%s` and `%s`."
                       % (keys[key_slot.index].name, name))
        if key_slot is not None and key_slot.namespace == "KEY" and key_slot.index not in keys:
            keys[key_slot.index] = OutputColumn(name, t, fn, True)
        else:
            values.append(OutputColumn(name, t, fn, False))
    if bad:
        raise _err(select, "Non-aggregate SELECT expression(s) not part of GROUP BY: %s\n"
                           "Either add the column(s) to the GROUP BY or remove them from the SELECT."
                   % ", ".join(_text(b) for b in bad))
    nkeys = len(select.group_by)
    missing = [i for i in range(nkeys) if i not in keys]
    if missing and persistent:
        names = [_text(select.group_by[i]) for i in missing]
        raise _err(select, "The query used to build `%s` must include the grouping expression%s %s in "
                           "its projection (eg, SELECT %s...)." % (
                               sink_name, "s" if len(names) > 1 else "", " and ".join(names), ", ".join(names)))
    key_cols = [keys[i] for i in sorted(keys)]
    if persistent:
        _check_columns(select, key_cols, values)
    if not missing:
        key_proj = [c.fn for c in key_cols]
    else:
        key_proj = [(lambda r, i=i: r[i]) for i in range(nkeys)]
    columns = key_cols + values
    return columns, key_proj, [c.fn for c in values]
