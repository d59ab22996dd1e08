"""Statement tree + catalog -> QueryPlan: names, types, output schema, key columns.

The planner is the one place the semantic rules of a SELECT live (what the key of the result
is, which columns are reserved, what a projection must contain); aggregation and joins add
their own planning steps in ``planner_aggregate``, ``planner_join`` and ``planner_rekey``.
"""

from __future__ import annotations

from typing import Optional

from . import types as T
from .catalog import PSEUDO_COLUMN_NAMES, Catalog, Source
from .compiler.expressions import Compiled, ExprCompiler
from .compiler.scope import Scope
from .errors import KsqlStatementError
from .plan import OutputColumn, QueryPlan, SourceBinding
from .sql import ast

PSEUDO_COLUMNS = (("ROWTIME", T.BIGINT), ("ROWPARTITION", T.INTEGER), ("ROWOFFSET", T.BIGINT))
WINDOW_COLUMNS = (("WINDOWSTART", T.BIGINT), ("WINDOWEND", T.BIGINT))
RESERVED = {*PSEUDO_COLUMN_NAMES, "WINDOWSTART", "WINDOWEND"}


def _err(node, msg: str) -> KsqlStatementError:
    pos = getattr(node, "pos", None)
    return KsqlStatementError(msg, (pos.line or None) if pos else None, (pos.column or None) if pos else None)


def bind_source(src: Source, alias: str, scope: Optional[Scope] = None) -> SourceBinding:
    """Lay out one source's columns in a row: keys, values, headers, pseudo, window bounds."""
    scope = scope if scope is not None else Scope()
    quals = (alias, src.name) if alias != src.name else (alias,)
    first = len(scope.slots)
    for c in src.key_columns:
        scope.add(c.name, c.type, quals, "KEY")
    for c in src.value_columns + src.header_columns:
        scope.add(c.name, c.type, quals, c.namespace)
    rowtime = len(scope.slots)
    for name, t in PSEUDO_COLUMNS:
        scope.add(name, t, quals, "PSEUDO")
    if src.window is not None:
        for name, t in WINDOW_COLUMNS:
            scope.add(name, t, quals, "WINDOW")
    return SourceBinding(src, alias, scope, rowtime_index=rowtime - first, key_count=len(src.key_columns))


def default_name(expr: ast.Expr, counter: list[int], taken: set[str]) -> str:
    """ksqlDB's name for an unaliased select expression: the column or field name (with
    ``_1``, ``_2``... on a clash), else the next KSQL_COL_n not already a column name."""
    if isinstance(expr, ast.ColumnRef):
        base = expr.name
    elif isinstance(expr, ast.Dereference):
        base = expr.field
    else:
        while "KSQL_COL_%d" % counter[0] in taken:
            counter[0] += 1
        name = "KSQL_COL_%d" % counter[0]
        counter[0] += 1
        return name
    name, n = base, 0
    while name in taken:
        n += 1
        name = "%s_%d" % (base, n)
    return name


class Planner:
    def __init__(self, catalog: Catalog, registry, properties: dict):
        self.catalog = catalog
        self.registry = registry
        self.properties = properties

    # -- entry point ----------------------------------------------------------------------
    def plan(self, select: ast.Select, *, sink_name: Optional[str] = None,
             persistent: bool = True, result_kind: Optional[str] = None) -> QueryPlan:
        if isinstance(select.from_, ast.Join):
            from . import planner_join
            return planner_join.plan_join(self, select, sink_name=sink_name, persistent=persistent)
        src = self.catalog.get(select.from_.name, select.from_.pos)
        binding = bind_source(src, select.from_.ref_name)
        if self._is_aggregate(select):
            from . import planner_aggregate
            return planner_aggregate.plan_aggregate(self, select, binding, sink_name=sink_name,
                                                    persistent=persistent)
        return self.plan_projection(select, [binding], binding.scope, src.kind,
                                    sink_name=sink_name, persistent=persistent,
                                    window=src.window)

    def compiler(self, scope: Scope, substitutions=None) -> ExprCompiler:
        return ExprCompiler(scope, self.registry, substitutions, self.catalog.types)

    def _is_aggregate(self, select: ast.Select) -> bool:
        if select.group_by or select.window is not None:
            return True
        return any(isinstance(i, ast.SelectItem) and self.contains_aggregate(i.expr) for i in select.items)

    def contains_aggregate(self, expr) -> bool:
        for node in walk(expr):
            if isinstance(node, ast.FunctionCall) and self.registry.kind(node.name) == "aggregate":
                return True
        return False

    # -- stateless projection -------------------------------------------------------------
    def expand_items(self, select: ast.Select, scope: Scope, window,
                     persistent: bool = False) -> list[tuple[ast.Expr, Optional[str]]]:
        """SELECT items with * and alias.* expanded into column references."""
        items: list[tuple[ast.Expr, Optional[str]]] = []
        for it in select.items:
            if isinstance(it, ast.AllColumns):
                slots = scope.slots
                if window is not None and not persistent:
                    # ksqlDB lists a windowed source's key, then its window bounds, then values
                    lead = [sl for sl in slots if sl.namespace in ("KEY", "WINDOW")]
                    slots = lead + [sl for sl in slots if sl not in lead]
                for slot in slots:
                    if it.source is not None and it.source not in slot.qualifiers:
                        continue
                    # window bounds travel in a windowed sink's key, so * leaves them out there
                    if slot.namespace in ("PSEUDO",) or (slot.namespace == "WINDOW" and (
                            window is None or persistent)):
                        continue
                    q = slot.qualifiers[0] if slot.qualifiers else None
                    items.append((ast.ColumnRef(slot.name, q, pos=it.pos), None))
                if it.source is not None and it.source not in scope.qualifiers():
                    raise _err(it, "Failed to prepare statement: '%s' is not a valid stream/table "
                                   "name or alias." % it.source)
            elif isinstance(it, ast.StructAll):
                base_t = self.compiler(scope).compile(it.base).type
                if base_t.base != "STRUCT":
                    raise _err(it, "Can't use ->* on non-struct type %s" % base_t)
                for fname, _ in base_t.fields:
                    items.append((ast.Dereference(it.base, fname, pos=it.pos), None))
            else:
                items.append((it.expr, it.alias))
        return items

    def check_alias(self, name: str, alias: Optional[str], node, persistent: bool):
        if alias is not None and alias in RESERVED:
            raise _err(node, "`%s` is a reserved column name. You cannot use it as an alias for a column." % alias)
        if alias is None and persistent and name in RESERVED:
            raise _err(node, "Reserved column name in select: `%s`. Please remove or alias the column." % name)

    def plan_projection(self, select: ast.Select, inputs: list[SourceBinding], scope: Scope,
                        kind: str, *, sink_name, persistent: bool, window=None) -> QueryPlan:
        comp = self.compiler(scope.with_clause("WHERE"))
        where = comp.predicate(select.where, "WHERE") if select.where is not None else None
        comp = self.compiler(scope.with_clause("SELECT"))
        items = self.expand_items(select, scope, window, persistent)
        columns: list[OutputColumn] = []
        counter = [0]
        key_slots = {s.index: s for s in scope.slots if s.namespace == "KEY"}
        seen_keys: dict[int, str] = {}
        names = set()
        if select.partition_by:
            from . import planner_rekey
            return planner_rekey.plan_partition_by(self, select, inputs, scope, kind,
                                                   sink_name=sink_name, persistent=persistent,
                                                   where=where, items=items)
        taken = {sl.name for sl in scope.slots} | {a for _, a in items if a}
        table_fns = []
        transient_keys: list[str] = []
        for expr, alias in items:
            if alias is None:
                taken.discard(expr.name if isinstance(expr, ast.ColumnRef) else None)
            name = alias or default_name(expr, counter, taken)
            taken.add(name)
            self.check_alias(name, alias, expr, persistent)
            if isinstance(expr, ast.FunctionCall) and self.registry.kind(expr.name) == "table":
                fn, t = self.table_function(comp, expr)
                _check_unique(expr, name, t, names)
                table_fns.append(len(columns))
                columns.append(OutputColumn(name, t, fn, False))
                continue
            if isinstance(expr, ast.FunctionCall) and expr.name == "AS_VALUE" and len(expr.args) == 1:
                fn, t = comp.function(expr.args[0])
                _check_unique(expr, name, t, names)
                columns.append(OutputColumn(name, t, fn, False))
                continue
            fn, t = comp.function(expr)
            _check_unique(expr, name, t, names)
            is_key = False
            if isinstance(expr, ast.ColumnRef) and expr.name not in comp.scope.lambda_vars:
                slot = scope.resolve(expr)
                if slot.index in key_slots and not persistent:
                    transient_keys.append(name)
                if slot.index in key_slots and persistent:
                    if slot.index in seen_keys:
                        raise _err(expr, "The projection contains a key column (`%s`) more than once, "
                                         "aliased as: %s and %s." % (slot.name, seen_keys[slot.index], name))
                    seen_keys[slot.index] = name
                    is_key = True
            columns.append(OutputColumn(name, t, fn, is_key))
        if persistent:
            _check_persistent_projection(select, sink_name, kind, len(inputs), key_slots, seen_keys,
                                         columns)
        if table_fns and kind == "TABLE":
            raise _err(select, "Table source is not supported with table functions")
        tf_ids = {id(columns[i]) for i in table_fns}
        columns = [c for c in columns if c.is_key] + [c for c in columns if not c.is_key]
        plan = QueryPlan(result_kind=kind, inputs=inputs, scope=scope, columns=columns,
                         where=where, limit=select.limit,
                         windowed=window, pull=select.emit is None and kind == "TABLE",
                         table_functions=[i for i, c in enumerate(columns) if id(c) in tf_ids] or None)
        plan.key_names = transient_keys
        plan.description = describe_plan(plan, select)
        return plan

    def table_function(self, comp, expr: ast.FunctionCall):
        """A table function's per-row callable returning the list of values to explode."""
        args = [comp.compile(a) for a in expr.args]
        try:
            resolved = self.registry.resolve_table(expr.name, [a.type for a in args])
        except KsqlStatementError as e:
            raise e.with_position(expr.pos.line or None, expr.pos.column or None)
        codes = [comp.convert(a, pt, expr).code if pt is not None else a.code
                 for a, pt in zip(args, resolved.param_types)]
        call = comp._bind(resolved.fn)
        fn = comp.to_function(Compiled("%s(%s)" % (call, ", ".join(codes)), resolved.return_type)) \
            if args else (lambda r: [])
        return fn, resolved.return_type


def _check_unique(expr, name: str, t, names: set) -> None:
    """ksqlDB notices a repeated output name when it builds the result schema, so its message
    carries the column's type."""
    if name in names:
        raise _err(expr, "Duplicate value columns found in schema: `%s` %s" % (name, t))
    names.add(name)


def _check_persistent_projection(select, sink_name, kind: str, n_inputs: int, key_slots: dict,
                                 seen_keys: dict, columns: list) -> None:
    """ksqlDB's rules for what a persistent query's projection must hold: all the source's
    key columns (a stream may drop all of them and get a null key), and some value column."""
    missing = [s.name for i, s in key_slots.items() if i not in seen_keys]
    if missing and n_inputs == 1 and (seen_keys or kind == "TABLE"):
        raise _err(select, "The query used to build `%s` must include the key column%s %s in its "
                           "projection (eg, SELECT %s...)." % (
                               sink_name, "s" if len(missing) > 1 else "",
                               " and ".join(missing), ", ".join(missing)))
    if not any(not c.is_key for c in columns):
        raise _err(select, "The projection contains no value columns.")


def describe_plan(plan: QueryPlan, select: ast.Select) -> list[str]:
    lines = ["> [ SINK ] | Schema: %s" % ", ".join(
        "%s %s%s" % (c.name, c.type, " KEY" if c.is_key else "") for c in plan.columns)]
    lines.append("    > [ PROJECT ] | %d columns" % len(plan.columns))
    if plan.where is not None:
        lines.append("        > [ FILTER ] | WHERE")
    for b in plan.inputs:
        lines.append("            > [ SOURCE ] | %s %s (topic %s)" % (b.source.kind, b.source.name,
                                                                      b.source.topic))
    return lines


def walk(node):
    """Every expression node below ``node`` (depth first, including itself)."""
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for v in getattr(n, "__dict__", {}).values():
            if isinstance(v, ast.Expr):
                stack.append(v)
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, ast.Expr):
                        stack.append(x)
                    elif isinstance(x, tuple):
                        stack.extend(y for y in x if isinstance(y, ast.Expr))
