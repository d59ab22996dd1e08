"""Planning of joins: the key of the result, its columns, the join operator.

A join re-keys its input to the join expression; the naming rules it shares with PARTITION
BY live in ``planner_rekey``, ksqlDB's join-specific rules and messages here, and the
operators that run a join in ``runtime.join``.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Optional

from .compiler.scope import Scope
from .plan import OutputColumn, QueryPlan
from .planner import _err, bind_source, default_name, describe_plan
from .planner_rekey import qualify
from .sql import ast
from .sql.format import format_expression


# =========================================================================================
# Joins
# =========================================================================================

class _Slot:
    """A projected plain column: ``row[index]``, and the index for generated projections."""
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __call__(self, row):
        return row[self.index]


class _Projector:
    """Joined row -> (key, value), or None when WHERE drops it; callable from the operators."""

    def __init__(self, where, key_fns, value_fns, synthetic: bool):
        self.where = where
        self.key_fns = key_fns
        self.value_fns = value_fns
        self.synthetic = synthetic
        self.fast = self._fast() if type(self) is _Projector else None

    def _fast(self):
        """The same call as one generated function (no loop, no attribute look-ups): the
        join operators call it once per joined row."""
        names = ["f%d" % i for i in range(len(self.value_fns))]
        env = dict(zip(names, self.value_fns), where=self.where)
        values = "[%s]" % ", ".join("%s(row)" % n for n in names)
        if self.where is None:
            src = "def fast(row, k):\n    return [k], %s\n" % values
        else:
            src = ("def fast(row, k):\n    if where(row) is not True:\n        return None\n"
                   "    return [k], %s\n" % values)
        exec(compile(src, "<join projection>", "exec"), env)
        return env["fast"]

    def __call__(self, row: list, join_key):
        if self.where is not None and self.where(row) is not True:
            return None
        return [join_key], [f(row) for f in self.value_fns]

    def split(self, left_width: int):
        """``fn(left_row, right_row, key)``: the projection over the two sides without building
        the joined row when every value is a plain column and there is no WHERE (the common
        enrichment); None when that does not apply (callers fall back to ``fast``)."""
        if type(self) is not _Projector or self.where is not None or \
                not all(isinstance(f, _Slot) for f in self.value_fns):
            return None
        reads = ["l[%d]" % f.index if f.index < left_width else "r[%d]" % (f.index - left_width)
                 for f in self.value_fns]
        env: dict = {}
        exec(compile("def split(l, r, k):\n    return [k], [%s]\n" % ", ".join(reads),
                     "<join projection>", "exec"), env)
        return env["split"]

    def compile_fast(self):
        """The same call without WHERE, with the value functions bound (the hot path)."""
        fns = tuple(self.value_fns)
        return lambda row, k: ([k], [f(row) for f in fns])

    def key_only(self, join_key) -> list:
        return [join_key]


def _sides(expr, scope: Scope, left_quals: set) -> set:
    """Which sides (0 left, 1 right) an ON operand refers to."""
    from .planner import walk
    sides = set()
    for node in walk(expr):
        if isinstance(node, ast.ColumnRef):
            slot = scope.resolve(node)
            sides.add(0 if slot.qualifiers[0] in left_quals else 1)
    return sides


def _on_operands(j: ast.Join, scope: Scope, left_quals: set):
    on = j.on
    if not (isinstance(on, ast.BinaryOp) and on.op == "="):
        raise _err(on, "Unsupported join expression: %s. Only equality joins are supported."
                   % format_expression(on))
    a, b = on.left, on.right
    sa, sb = _sides(a, scope, left_quals), _sides(b, scope, left_quals)
    for e, s in ((a, sa), (b, sb)):
        if len(s) != 1:
            raise _err(on, "Invalid comparison expression '%s' in join '(%s)'. Each side of the join "
                           "comparision must contain references from exactly one source."
                       % (format_expression(e), format_expression(on)))
    if sa == sb:
        raise _err(on, "Each side of the join must reference exactly one source and not the same "
                       "source. Left side references %s and right references %s"
                   % (sorted(sa), sorted(sb)))
    return (a, b) if sa == {0} else (b, a)


def _bind(planner, rel, scope):
    if isinstance(rel, ast.Join):
        raise _err(rel, "N-way joins are not supported yet.")
    src = planner.catalog.get(rel.name, rel.pos)
    return bind_source(src, rel.ref_name, scope)


def _check_sources(j, lb, rb) -> None:
    ls, rs = lb.source, rb.source
    if ls.name == rs.name:
        raise _err(j, "Can not join '%s' to '%s': self joins are not yet supported." % (ls.name, rs.name))
    kafka = [s.name for s in (ls, rs) if s.value_format == "KAFKA"]
    if kafka:
        raise _err(j, "Source(s) %s are using the 'KAFKA' value format. This format does not yet "
                      "support JOIN." % ", ".join(kafka))
    if ls.window is not None and rs.window is not None and \
            (ls.window.kind == "SESSION") != (rs.window.kind == "SESSION"):
        raise _err(j, "Incompatible windowed sources.\nLeft source: %s\nRight source: %s\n"
                      "Session windowed sources can only be joined to other session windowed sources, "
                      "and may still not result in expected behaviour as session bounds must be an exact "
                      "match for the join to work\nHopping and tumbling windowed sources can only be "
                      "joined to other hopping and tumbling windowed sources"
                   % (ls.window.kind, rs.window.kind))
    if (ls.window is None) != (rs.window is None):
        w, n = (ls, rs) if ls.window is not None else (rs, ls)
        raise _err(j, "Can not join windowed source to non-windowed source.\n`%s` is %s windowed\n"
                      "`%s` is not windowed" % (w.name, w.window.kind, n.name))
    kinds = (ls.kind, rs.kind)
    if kinds == ("STREAM", "STREAM") and j.within is None:
        raise _err(j, "Stream-Stream joins must have a WITHIN clause specified. None was provided. "
                      "To learn about how to specify a WITHIN clause with a stream-stream join, please "
                      "visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html"
                      "#create-stream-as-select")
    if kinds != ("STREAM", "STREAM") and j.within is not None:
        raise _err(j, "A window definition was provided for a Stream-Table join. These joins are not "
                      "windowed. Please drop the window definition (i.e. the WITHIN clause) and try "
                      "to execute your join again." if "STREAM" in kinds else
                   "A window definition was provided for a Table-Table join. These joins are not "
                   "windowed. Please drop the window definition (i.e. the WITHIN clause) and try to "
                   "execute your join again.")
    if kinds == ("TABLE", "STREAM"):
        raise _err(j, "Invalid join order: table-stream joins are not supported; only stream-table "
                      "joins. Got %s [%s] %s." % (ls.name, j.kind, rs.name))
    if kinds == ("STREAM", "TABLE") and j.kind in ("RIGHT", "FULL"):
        raise _err(j, "Invalid join type: full-outer join not supported for Stream-Table join. Got "
                      "%s [%s] %s." % (ls.name, j.kind, rs.name) if j.kind == "FULL" else
                   "Invalid join type: right-outer join not supported for Stream-Table join. Got "
                   "%s [%s] %s." % (ls.name, j.kind, rs.name))


def _check_table_key(binding, expr, scope: Scope, j) -> None:
    """A table side must be joined on its primary key."""
    if binding.source.kind != "TABLE":
        return
    ok = isinstance(expr, ast.ColumnRef) and scope.resolve(expr).namespace == "KEY"
    if not ok:
        key = [c.name for c in binding.source.key_columns]
        raise _err(j, "Cannot repartition a TABLE source. If this is a join, make sure that the "
                      "criteria uses the TABLE's key column %s instead of %s"
                   % (".".join([binding.alias] + key[:1]) if key else "ROWKEY", format_expression(expr)))


def _named(items, scope: Scope, taken: set):
    """(expr, alias, qualified expr, output name) per join select item, with ksqlDB's names
    (a column keeps its name where it is unique across the sources, else ALIAS_NAME) and
    its duplicate-name error. ``taken`` (the aliases written) grows as names are given."""
    counts: dict[str, set] = {}
    for sl in scope.slots:
        counts.setdefault(sl.name, set()).add(sl.qualifiers[0])
    unique = {n for n, q in counts.items() if len(q) == 1}
    names, counter = set(), [0]
    for expr, alias, _ in items:
        q = qualify(expr, scope)
        name = _join_item_name(q, alias, unique, counter, taken) if isinstance(expr, ast.ColumnRef) \
            else alias or default_name(expr, counter, taken)
        taken.add(name)
        if name in names:
            raise _err(expr, "Duplicate column name '%s'" % name)
        names.add(name)
        yield expr, alias, q, name


def _join_item_name(expr, alias, unique: set, counter, taken) -> str:
    if alias:
        return alias
    if isinstance(expr, ast.ColumnRef) and expr.name not in unique:
        name = "%s_%s" % (expr.source, expr.name)
        return name
    return default_name(expr, counter, taken)


def _join_items(select: ast.Select, scope: Scope, planner=None) -> list:
    """SELECT items; * expands to every column (pseudo ones excepted) as ALIAS_COL."""
    items = []
    for it in select.items:
        if isinstance(it, ast.AllColumns):
            if it.source is not None and it.source not in scope.qualifiers():
                raise _err(it, "Failed to prepare statement: '%s' is not a valid stream/table "
                               "name or alias." % it.source)
            for s in _star_slots(scope, it.source):
                q = s.qualifiers[0]
                items.append((ast.ColumnRef(s.name, q, pos=it.pos), "%s_%s" % (q, s.name),
                              it.source is None))
        elif isinstance(it, ast.StructAll):
            items += [(e, None, False) for e, _ in planner.expand_items(
                dataclasses.replace(select, items=(it,)), scope, None)]
        else:
            items.append((it.expr, it.alias, False))
    return items


def _star_slots(scope: Scope, source: Optional[str]) -> list:
    """The slots * stands for in a join, side by side as ksqlDB lays out each side's schema:
    key columns, then a windowed side's WINDOWSTART and WINDOWEND, then value columns."""
    sides: dict[str, list] = {}
    for s in scope.slots:
        if s.namespace != "PSEUDO" and (source is None or source in s.qualifiers):
            sides.setdefault(s.qualifiers[0], []).append(s)
    rank = {"KEY": 0, "WINDOW": 1}
    return [s for side in sides.values() for s in sorted(side, key=lambda s: rank.get(s.namespace, 2))]


def _flatten(rel) -> tuple[list, list]:
    """FROM a JOIN b JOIN c (nested to the left) -> ([a, b, c], [join ab, join (ab)c])."""
    if isinstance(rel, ast.Join):
        rels, joins = _flatten(rel.left)
        return rels + [rel.right], joins + [rel]
    return [rel], []


class _Step:
    """One binary join of a chain: its ON operands, key functions and operator class."""

    def __init__(self, join, lexpr, rexpr, key_fns, ktype, widths, ts_slots, op_cls):
        self.join, self.lexpr, self.rexpr = join, lexpr, rexpr
        self.key_fns, self.ktype, self.widths, self.ts_slots, self.op_cls = \
            key_fns, ktype, widths, ts_slots, op_cls

    def build(self, project):
        from .runtime.join import StreamStreamJoin
        extra = {}
        fk = getattr(self, "fk_key", None)
        if fk is not None:
            extra = dict(left_key=lambda row, idx=tuple(k.index for k in fk): [row[i] for i in idx])
        if self.op_cls is StreamStreamJoin:
            w = self.join.within
            extra = dict(before=w.before, after=w.after, grace=w.grace)
        op = self.op_cls(self.join.kind, self.key_fns, self.widths, self.ts_slots, project, **extra)
        op.window_slots = getattr(self, "window_slots", None)
        return op


def _plan_step(planner, scope, bindings, offsets, total, i, jn, prefix_kind):
    lw = offsets[i]
    rb = bindings[i]
    rw = (offsets[i + 1] if i + 1 < len(offsets) else total) - lw
    if i == 1:
        _check_sources(jn, bindings[0], rb)
    else:
        _check_sources(jn, _KindOnly(prefix_kind, bindings[:i]), rb)
    left_quals = {q for s in scope.slots[:lw] for q in s.qualifiers}
    on_scope = scope.with_clause("JOIN ON")
    lexpr, rexpr = _on_operands(jn, on_scope, left_quals)
    _check_table_key(rb, rexpr, scope, jn)
    lkey = _key_source(lexpr, scope, bindings[:i])
    # joining on one column of a multi-column primary key is a foreign-key join too
    fk = prefix_kind == "TABLE" and rb.source.kind == "TABLE" and \
        (lkey is None or len(lkey.source.key_columns) > 1)
    if fk and i > 1:
        raise _err(jn, "Invalid join condition: foreign-key table-table joins are not supported as part "
                       "of n-way joins. Got %s = %s." % (format_expression(qualify(lexpr, scope)),
                                                         format_expression(qualify(rexpr, scope))))
    if fk and jn.kind not in ("INNER", "LEFT"):
        raise _err(jn, "Invalid join type: %s-join not supported for foreign-key table-table join. Got "
                       "%s [%s] %s." % ({"RIGHT": "right", "FULL": "full-outer"}[jn.kind],
                                        bindings[0].source.name, jn.kind, rb.source.name))
    _check_copartitioned(jn, scope, bindings[:i], rb, lexpr, rexpr)
    comp = planner.compiler(on_scope)
    lfn, ltype = comp.function(lexpr)
    rfn, rtype = comp.function(rexpr)
    if ltype != rtype and not (ltype.base in ("INTEGER", "BIGINT") and rtype.base in ("INTEGER", "BIGINT")):
        raise _err(jn.on, "Invalid join condition: types don't match. Got %s{%s} = %s{%s}."
                   % (format_expression(lexpr), ltype, format_expression(rexpr), rtype))
    if fk and rb.source.window is not None:
        raise _err(jn, "Foreign-key table-table joins are not supported on windowed tables.")
    key_fns = (_column_getter(lexpr, on_scope, 0) or lfn,
               _column_getter(rexpr, on_scope, lw) or (lambda row, f=rfn, w=lw: f([None] * w + row)))
    step = _Step(jn, lexpr, rexpr, key_fns, ltype, (lw, rw),
                 (bindings[0].rowtime_index, rb.rowtime_index), _operator(prefix_kind, rb.source.kind))
    if rb.source.window is not None:
        # windowed sources join window to window: the window is part of the key
        lwin = [s.index for s in scope.slots[:lw] if s.namespace == "WINDOW"
                and s.qualifiers[0] == bindings[0].alias]
        rwin = [s.index - lw for s in scope.slots[lw:lw + rw] if s.namespace == "WINDOW"]
        if len(lwin) == 2 and len(rwin) == 2:
            step.window_slots = (tuple(lwin), tuple(rwin))
    if fk:
        from .runtime.join import ForeignKeyJoin
        step.op_cls = ForeignKeyJoin
        key_slots = [s for s in scope.slots[:lw] if s.namespace == "KEY"]
        step.fk_key = key_slots or None
    return step


def _column_getter(expr, scope: Scope, offset: int):
    """A plain column as the join expression: read it from the side's own row directly (the
    right side's row starts at ``offset`` of the joined layout)."""
    if not isinstance(expr, ast.ColumnRef):
        return None
    slot = scope.find(expr.name, expr.source)
    if slot is None or slot.index < offset:
        return None
    return operator.itemgetter(slot.index - offset)


def _key_source(expr, scope: Scope, bindings):
    """The binding whose key column ``expr`` is (a join on it needs no re-partition), or None."""
    if not isinstance(expr, ast.ColumnRef):
        return None
    slot = scope.find(expr.name, expr.source)
    if slot is None or slot.namespace != "KEY":
        return None
    return next((b for b in bindings if slot.qualifiers[0] == b.alias), None)


def _check_copartitioned(jn, scope: Scope, left_bindings, rb, lexpr, rexpr) -> None:
    """Key-to-key joins read both topics partition by partition: the counts must match."""
    lb = _key_source(lexpr, scope, left_bindings)
    if lb is None or _key_source(rexpr, scope, [rb]) is None:
        return
    lp, rp = lb.source.properties.get("PARTITIONS"), rb.source.properties.get("PARTITIONS")
    if lp is not None and rp is not None and int(lp) != int(rp):
        raise _err(jn, "Can't join `%s` with `%s` since the number of partitions don't match. `%s` "
                       "partitions = %s; `%s` partitions = %s. Please repartition either one so that "
                       "the number of partitions match." % (lb.source.name, rb.source.name,
                                                            lb.source.name, lp, rb.source.name, rp))


class _KindOnly:
    """Stands for the already-joined left part of an N-way join in the source checks."""

    def __init__(self, kind, bindings):
        from types import SimpleNamespace
        self.source = SimpleNamespace(name="+".join(b.source.name for b in bindings), kind=kind,
                                      value_format="JSON", window=bindings[0].source.window)


def plan_join(planner, select: ast.Select, *, sink_name, persistent: bool) -> QueryPlan:
    """Joins nested to the left: one operator per binary join, chained; key = the join expression."""
    rels, joins = _flatten(select.from_)
    scope = Scope()
    bindings, offsets = [], []
    for r in rels:
        offsets.append(len(scope.slots))
        bindings.append(_bind(planner, r, scope))
    names = [b.source.name for b in bindings]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise _err(joins[i - 1], "Can not join '%s' to '%s': self joins are not yet supported." % (n, n))
    total = len(scope.slots)
    steps = []
    prefix_kind = bindings[0].source.kind
    for i, jn in enumerate(joins, start=1):
        steps.append(_plan_step(planner, scope, bindings, offsets, total, i, jn, prefix_kind))
        prefix_kind = "TABLE" if (prefix_kind, bindings[i].source.kind) == ("TABLE", "TABLE") else "STREAM"
    last = steps[-1]
    if planner._is_aggregate(select):
        return _plan_join_aggregate(planner, select, steps, bindings, scope, prefix_kind,
                                    sink_name=sink_name, persistent=persistent)
    where = None
    if select.where is not None:
        where = planner.compiler(scope.with_clause("WHERE")).predicate(select.where, "WHERE")
    synthetic = last.join.kind == "FULL" or not (isinstance(last.lexpr, ast.ColumnRef)
                                                 or isinstance(last.rexpr, ast.ColumnRef))
    if select.partition_by:
        columns, project = _join_partition_columns(planner, select, scope, where, sink_name,
                                                   persistent)
        return _chain_plan(select, steps, project, bindings, scope, prefix_kind, columns, where)
    extra_keys = [e for st in steps[:-1] for e in (st.lexpr, st.rexpr)]
    fk_key = getattr(last, "fk_key", None)
    if fk_key is not None:
        columns, key_fns_out, value_fns = _fk_columns(planner, select, scope, fk_key, sink_name,
                                                       persistent)
        project = _FkProjector(where, key_fns_out, value_fns, False)
        return _chain_plan(select, steps, project, bindings, scope, prefix_kind, columns, where)
    else:
        columns, key_fns_out, value_fns = _join_columns(planner, select, scope, last.lexpr,
                                                         last.rexpr, last.ktype, synthetic, sink_name,
                                                         persistent, extra_keys)
    project = _Projector(where, key_fns_out, value_fns, synthetic)
    return _chain_plan(select, steps, project, bindings, scope, prefix_kind, columns, where)


def _chain_plan(select, steps, project, bindings, scope, prefix_kind, columns, where) -> QueryPlan:
    last = steps[-1]
    ops = [st.build(_pass_row) for st in steps[:-1]] + [last.build(project)]
    if len(ops) == 1:
        op = ops[0]
    else:
        from .runtime.join import JoinChain
        op = JoinChain(ops)
    plan = QueryPlan(result_kind=prefix_kind, inputs=bindings, scope=scope, columns=columns, where=where,
                     stateful=op, limit=select.limit,
                     windowed=bindings[0].source.window if getattr(last, "window_slots", None) else None)
    plan.description = describe_plan(plan, select)
    return plan


def _plan_join_aggregate(planner, select, steps, bindings, scope, prefix_kind, *, sink_name,
                         persistent) -> QueryPlan:
    """GROUP BY over a join: the joined rows feed an aggregation as if they were one source."""
    from . import planner_aggregate
    from .plan import SourceBinding
    from .runtime.join import JoinAggregate, JoinChain
    if prefix_kind != "STREAM":
        raise _err(select, "Aggregating the result of a table-table join is not supported yet.")
    _check_join_aggregate(planner, select, scope)
    first = bindings[0]
    joined = SourceBinding(source=dataclasses.replace(first.source, kind="STREAM"), alias=first.alias,
                           scope=scope, rowtime_index=first.rowtime_index, key_count=0)
    plan = planner_aggregate.plan_aggregate(planner, select, joined, sink_name=sink_name,
                                            persistent=persistent)
    ops = [st.build(_pass_row) for st in steps]
    join = ops[0] if len(ops) == 1 else JoinChain(ops)
    agg = plan.stateful
    agg.o.by_source_partition = False
    plan.stateful = JoinAggregate(join, agg, first.rowtime_index)
    plan.inputs = bindings
    return plan


def _check_join_aggregate(planner, select, scope: Scope) -> None:
    """ksqlDB's checks on an aggregation over a join: no window bounds in the projection
    (ksqlDB cannot resolve them there), and HAVING compares an aggregate with a value of its
    type (no string-literal conversion)."""
    from .compiler.expressions import CMP_NAMES
    from .planner import walk
    from .planner_aggregate import _resolve
    for it in select.items:
        for node in walk(getattr(it, "expr", None)):
            if isinstance(node, ast.ColumnRef) and node.name in ("WINDOWSTART", "WINDOWEND"):
                raise _err(node, "SELECT column '%s' cannot be resolved." % node.name)
    for node in walk(select.having):
        if not (isinstance(node, ast.BinaryOp) and node.op in CMP_NAMES):
            continue
        for agg, lit in ((node.left, node.right), (node.right, node.left)):
            if isinstance(agg, ast.FunctionCall) and planner.registry.kind(agg.name) == "aggregate" \
                    and isinstance(lit, ast.Literal) and isinstance(lit.value, str):
                t = _resolve(planner, scope, agg).fn.return_type
                if t.base != "STRING":
                    raise _err(node, "Error in HAVING expression: Cannot compare %s (%s) to %s (STRING) "
                                     "with %s." % (format_expression(_flat_names(agg, scope)), t,
                                                   format_expression(lit), CMP_NAMES[node.op]))


def _flat_names(expr, scope: Scope):
    """``expr`` with columns named as in the joined schema (``I1.BAR`` -> ``I1_BAR``)."""
    q = qualify(expr, scope)
    if isinstance(q, ast.ColumnRef):
        return ast.ColumnRef("%s_%s" % (q.source, q.name) if q.source else q.name, None)
    if isinstance(q, ast.FunctionCall):
        return dataclasses.replace(q, args=tuple(_flat_names(a, scope) for a in q.args))
    return q


def _pass_row(row, key):
    """Projection of an inner step of a chain: the joined row itself, for the next join."""
    return [key], row


def _operator(lkind: str, rkind: str):
    from .runtime.join import OPERATORS
    return OPERATORS[(lkind, rkind)]


class _RekeyProjector(_Projector):
    """Joined row -> (PARTITION BY key, value): a join whose result is re-keyed."""

    def __call__(self, row: list, join_key):
        if self.where is not None and self.where(row) is not True:
            return None
        return [f(row) for f in self.key_fns], [f(row) for f in self.value_fns]


def _join_partition_columns(planner, select, scope, where, sink_name, persistent):
    """PARTITION BY after a join: the partition expressions are the key, as for one source."""
    parts = list(select.partition_by)
    pcomp = planner.compiler(scope.with_clause("PARTITION BY"))
    part_fns = [pcomp.function(p) for p in parts]
    wanted = [qualify(p, scope) for p in parts]
    comp = planner.compiler(scope.with_clause("SELECT"))
    keys, values = {}, []
    taken = {a for _, a, _ in _join_items(select, scope, planner) if a}
    items = _join_star_items(select, scope) if any(isinstance(i, ast.AllColumns) for i in select.items) \
        else _join_items(select, scope, planner)
    for expr, alias, q, name in _named(items, scope, taken):
        if q in wanted and wanted.index(q) not in keys:
            i = wanted.index(q)
            keys[i] = OutputColumn(name, part_fns[i][1], part_fns[i][0], True)
            continue
        fn, t = comp.function(expr)
        values.append(OutputColumn(name, t, fn, False))
    missing = [format_expression(w) for i, w in enumerate(wanted) if i not in keys]
    if missing and persistent:
        raise _err(select, "The query used to build `%s` must include the partitioning expression%s "
                           "%s in its projection (eg, SELECT %s...)." % (
                               sink_name, "s" if len(missing) > 1 else "", " and ".join(missing),
                               ", ".join(missing)))
    columns = [keys[i] for i in sorted(keys)] + values
    project = _RekeyProjector(where, [c.fn for c in columns if c.is_key], [c.fn for c in values], False)
    return columns, project


def _join_star_items(select: ast.Select, scope: Scope) -> list:
    """SELECT * over a re-keyed join: the joined rows' columns as ksqlDB lays them out, side by
    side: values, then ROWTIME/ROWPARTITION/ROWOFFSET, then keys (all named ALIAS_COL)."""
    items = []
    for it in select.items:
        if not isinstance(it, ast.AllColumns):
            items.append((it.expr, it.alias, False))
            continue
        quals = []
        for s in scope.slots:
            if s.qualifiers[0] not in quals and (it.source is None or it.source in s.qualifiers):
                quals.append(s.qualifiers[0])
        for q in quals:
            mine = [s for s in scope.slots if s.qualifiers[0] == q]
            ordered = [s for s in mine if s.namespace not in ("KEY", "PSEUDO", "WINDOW")] + \
                      [s for s in mine if s.namespace == "PSEUDO"] + \
                      [s for s in mine if s.namespace == "KEY"]
            items += [(ast.ColumnRef(s.name, q, pos=it.pos), "%s_%s" % (q, s.name), True)
                      for s in ordered]
    return items


def _join_columns(planner, select, scope, lexpr, rexpr, ktype, synthetic, sink_name, persistent,
                  extra_keys=()):
    """Output columns of a join: which projection item is the key, and every column's name."""
    comp = planner.compiler(scope.with_clause("SELECT"))
    items = _join_items(select, scope, planner)
    names_by_side: dict[str, set] = {}
    for s in scope.slots:
        names_by_side.setdefault(s.name, set()).add(s.qualifiers[0])
    unique = {n for n, q in names_by_side.items() if len(q) == 1}
    wanted = [qualify(lexpr, scope), qualify(rexpr, scope)]
    counter = [0]
    taken = {a for _, a, _ in items if a}
    key_col = None
    values = []
    names = set()
    quals = [qualify(e, scope) for e, _, _ in items]
    candidates = wanted + [qualify(e, scope) for e in extra_keys]
    key_target = next((w for w in candidates if w in quals), None)
    rowkey = synthetic_key_name(s.name for s in scope.slots) if synthetic else "ROWKEY"
    for expr, alias, star in items:
        if isinstance(expr, ast.ColumnRef) and expr.source is None and expr.name == rowkey \
                and synthetic and scope.find(rowkey) is None:
            name = alias or rowkey
            key_col = OutputColumn(name, ktype, None, True)
            names.add(name)
            continue
        q = qualify(expr, scope)
        if isinstance(expr, ast.ColumnRef):
            q_ref = q
            name = _join_item_name(q_ref, alias, unique, counter, taken)
        else:
            name = alias or default_name(expr, counter, taken)
        taken.add(name)
        if name in names:
            raise _err(expr, "Duplicate column name '%s'" % name)
        names.add(name)
        if not synthetic and key_col is None and q == key_target:
            fn, t = comp.function(expr)
            key_col = OutputColumn(name, t, fn, True)
            continue
        planner.check_alias(name, alias, expr, persistent)
        fn, t = comp.function(expr)
        slot = scope.find(expr.name, expr.source) if isinstance(expr, ast.ColumnRef) else None
        if slot is not None and slot.type == t:
            fn = _Slot(slot.index)
        values.append(OutputColumn(name, t, fn, False))
    if synthetic and key_col is None:
        if any(star for _, _, star in items) or not persistent:
            key_col = OutputColumn(_free_name(rowkey, names), ktype, None, True,
                                   hidden=not any(star for _, _, star in items))
        else:
            raise _err(select, "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n"
                               "The query used to build `%s` must include the join expression %s "
                               "in its projection (eg, SELECT %s...)." % (sink_name, rowkey, rowkey))
    if key_col is None:
        if persistent:
            shown = [format_expression(w) for w in wanted]
            raise _err(select, "The query used to build `%s` must include the join expressions %s in its "
                               "projection (eg, SELECT %s...)." % (sink_name, " or ".join(shown), shown[0]))
        key_col = OutputColumn(_free_name("ROWKEY", names), ktype, None, True, hidden=True)
    key_fns = [key_col.fn] if key_col.fn is not None else []
    return [key_col] + values, key_fns, [c.fn for c in values]


class _FkProjector(_Projector):
    """Foreign-key join: the key is the left table's primary key (a list of its columns)."""

    def __call__(self, row: list, pk):
        if self.where is not None and self.where(row) is not True:
            return None
        return list(pk), [f(row) for f in self.value_fns]


def _fk_columns(planner, select, scope, key_slots, sink_name, persistent):
    """Foreign-key join output: keyed by the left table's primary key (every key column)."""
    if len(key_slots) == 1:
        ref = ast.ColumnRef(key_slots[0].name, key_slots[0].qualifiers[0])
        cols, _, _ = _join_columns(planner, select, scope, ref, ref, key_slots[0].type, False,
                                   sink_name, persistent)
        return cols, [], [c.fn for c in cols[1:]]
    comp = planner.compiler(scope.with_clause("SELECT"))
    wanted = [ast.ColumnRef(k.name, k.qualifiers[0]) for k in key_slots]
    items = _join_items(select, scope, planner)
    taken = {a for _, a, _ in items if a}
    keys, values = {}, []
    for expr, alias, q, name in _named(items, scope, taken):
        fn, t = comp.function(expr)
        if q in wanted and wanted.index(q) not in keys:
            keys[wanted.index(q)] = OutputColumn(name, t, fn, True)
            continue
        values.append(OutputColumn(name, t, fn, False))
    missing = [format_expression(w) for i, w in enumerate(wanted) if i not in keys]
    if missing and persistent:
        raise _err(select, "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n"
                           "The query used to build `%s` must include the key columns %s in its "
                           "projection (eg, SELECT %s...)." % (sink_name, " and ".join(missing),
                                                               ", ".join(missing)))
    columns = [keys[i] for i in sorted(keys)] + values
    return columns, [], [c.fn for c in values]


def synthetic_key_name(source_columns) -> str:
    """ksqlDB's name for a join's synthetic key: ROWKEY, or ROWKEY_<n+1> where n is the
    highest ROWKEY_<n> suffix among the sources' columns (a plain ROWKEY counts as 0), so it
    never clashes with a source column (ColumnNames.generateSyntheticJoinKey)."""
    top = -1
    for name in source_columns:
        if name == "ROWKEY":
            top = max(top, 0)
        elif name.startswith("ROWKEY_") and name[7:].isdigit():
            top = max(top, int(name[7:]))
    return "ROWKEY" if top < 0 else "ROWKEY_%d" % (top + 1)


def _free_name(base: str, names: set) -> str:
    name, n = base, 0
    while name in names:
        n += 1
        name = "%s_%d" % (base, n)
    return name
