"""Re-keying: PARTITION BY's plan, and the rules joins share with it for naming a new key.

Both re-key their input: PARTITION BY to the partitioning expressions, a join to its join
expression (``planner_join``). Expressions are compared qualified (``SOURCE.NAME``), and a
key column made from an expression gets ksqlDB's name for it.
"""

from __future__ import annotations

import dataclasses

from .compiler.scope import Scope
from .plan import OutputColumn, QueryPlan
from .planner import _err, default_name, describe_plan
from .sql import ast
from .sql.format import format_expression


# =========================================================================================
# Expression helpers
# =========================================================================================

def qualify(expr, scope: Scope):
    """``expr`` with every column reference resolved to ``SOURCE.NAME`` (for matching/messages)."""
    if isinstance(expr, ast.ColumnRef):
        slot = scope.find(expr.name, expr.source)
        if slot is None or expr.name in scope.lambda_vars:
            return expr
        return ast.ColumnRef(slot.name, slot.qualifiers[0] if slot.qualifiers else None, pos=expr.pos)
    if not isinstance(expr, ast.Node):
        return expr
    changes = {}
    for f in dataclasses.fields(expr):
        if f.name == "pos":
            continue
        v = getattr(expr, f.name)
        nv = _qualify_value(v, scope)
        if nv is not v:
            changes[f.name] = nv
    return dataclasses.replace(expr, **changes) if changes else expr


def _qualify_value(v, scope):
    if isinstance(v, ast.Expr):
        return qualify(v, scope)
    if isinstance(v, tuple) and any(isinstance(x, (ast.Expr, tuple)) for x in v):
        return tuple(_qualify_value(x, scope) for x in v)
    return v


def is_null_literal(expr) -> bool:
    return isinstance(expr, ast.Literal) and expr.value is None


def key_name(expr, counter: list[int], taken=frozenset()) -> str:
    """Name of a key column created from an expression when no projection names it."""
    if isinstance(expr, ast.FunctionCall) and expr.name == "AS_VALUE":
        expr = ast.Literal(None, None)   # AS_VALUE(x) as a key gets a KSQL_COL_n name
    return default_name(expr, counter, set(taken))


# =========================================================================================
# PARTITION BY
# =========================================================================================

def _star_items(select: ast.Select, scope: Scope, parts: list, window) -> list:
    """SELECT * over a repartitioned source: new keys, then values, then the old keys."""
    part_slots = {scope.find(p.name, p.source).index for p in parts
                  if isinstance(p, ast.ColumnRef) and scope.find(p.name, p.source) is not None}
    items = []
    counter = [0]
    for it in select.items:
        if not isinstance(it, ast.AllColumns):
            items.append((it.expr, it.alias))
            continue
        for p in parts:
            if isinstance(p, ast.ColumnRef):
                items.append((p, None))
            elif not is_null_literal(p):
                items.append((p, key_name(p, counter)))
        chosen = [s for s in scope.slots
                  if (it.source is None or it.source in s.qualifiers)
                  and s.namespace not in ("PSEUDO", "WINDOW") and s.index not in part_slots]
        ordered = [s for s in chosen if s.namespace != "KEY"] + [s for s in chosen if s.namespace == "KEY"]
        for s in ordered:
            items.append((ast.ColumnRef(s.name, s.qualifiers[0] if s.qualifiers else None, pos=it.pos), None))
    return items


def plan_partition_by(planner, select: ast.Select, inputs, scope: Scope, kind: str, *,
                      sink_name, persistent: bool, where, items) -> QueryPlan:
    """A stateless re-key: key columns compute the partitioning expressions."""
    parts = [p for p in select.partition_by]
    _check_partition_refs(parts, scope, items)
    pcomp = planner.compiler(scope.with_clause("PARTITION BY"))
    part_fns = [pcomp.function(p) for p in parts]
    if any(isinstance(i, ast.AllColumns) for i in select.items):
        items = _star_items(select, scope, parts, None)
    null_key = len(parts) == 1 and is_null_literal(parts[0])
    wanted = [] if null_key else [qualify(p, scope) for p in parts]
    comp = planner.compiler(scope.with_clause("SELECT"))
    counter = [0]
    keys: dict[int, OutputColumn] = {}
    key_alias: dict[int, str] = {}
    values: list[OutputColumn] = []
    names = set()
    taken = {a for _, a in items if a}
    for expr, alias in items:
        name = alias or default_name(expr, counter, taken)
        taken.add(name)
        q = qualify(expr, scope)
        if not (q in wanted and isinstance(expr, ast.ColumnRef)):
            planner.check_alias(name, alias, expr, persistent)
        if name in names:
            raise _err(expr, "Duplicate column name '%s'" % name)
        names.add(name)
        q = qualify(expr, scope)
        if q in wanted and persistent:
            i = wanted.index(q)
            if i in keys:
                raise _err(expr, "The projection contains a key column (`%s`) more than once, "
                                 "aliased as: %s and %s." % (key_alias[i], key_alias[i], name))
            key_alias[i] = name
            keys[i] = OutputColumn(name, part_fns[i][1], part_fns[i][0], True)
            continue
        if isinstance(expr, ast.FunctionCall) and expr.name == "AS_VALUE" and len(expr.args) == 1:
            expr = expr.args[0]
        fn, t = comp.function(expr)
        values.append(OutputColumn(name, t, fn, False))
    if persistent:
        missing = [format_expression(w) for i, w in enumerate(wanted) if i not in keys]
        if missing:
            raise _err(select, "The query used to build `%s` must include the partitioning expression%s "
                               "%s in its projection (eg, SELECT %s...)." % (
                                   sink_name, "s" if len(missing) > 1 else "",
                                   " and ".join(missing), ", ".join(missing)))
        if not values:
            raise _err(select, "The projection contains no value columns.")
    columns = [keys[i] for i in sorted(keys)] + values
    plan = QueryPlan(result_kind=kind, inputs=inputs, scope=scope, columns=columns, where=where,
                     partition_by=[f for f, _ in part_fns], limit=select.limit)
    plan.tombstone_key_fns = _tombstone_key_fns(parts, scope, part_fns, sorted(keys))
    plan.description = describe_plan(plan, select)
    return plan


def _null(_row):
    return None


def _tombstone_key_fns(parts, scope: Scope, part_fns, key_order) -> list:
    """Key functions for a null-value record: ksqlDB evaluates only the partitioning
    expressions over key columns (or none); any that reads a value column gives NULL."""
    from .planner import walk
    fns = []
    for i in key_order:
        refs = [scope.find(n.name, n.source) for n in walk(parts[i]) if isinstance(n, ast.ColumnRef)]
        key_only = all(r is not None and r.namespace == "KEY" for r in refs)
        fns.append(part_fns[i][0] if key_only else _null)
    return fns


def _check_partition_refs(parts, scope: Scope, items) -> None:
    """A PARTITION BY column must come from the input, not from the projection's aliases."""
    aliases = {a for _, a in items if a}
    from .planner import walk
    for p in parts:
        for node in walk(p):
            if isinstance(node, ast.ColumnRef) and scope.find(node.name, node.source) is None \
                    and node.name in aliases and node.source is None:
                raise _err(node, "PARTITION BY column '%s' cannot be resolved. '%s' must be a column in "
                                 "the source schema since PARTITION BY is applied on the input."
                           % (node.name, node.name))
