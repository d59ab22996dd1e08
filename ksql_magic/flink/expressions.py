"""Expressions of our dialect -> Flink SQL text, and the SQL type of each (for sink DDL).

Dispatch is by node class (RENDER, TYPES) and by function name (FUNCTIONS); adding a function
Flink runs the same way is one entry. Functions, nodes and types missing from the tables raise
Unsupported, which translate.py turns into the user's KsqlStatementError.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..sql import ast
from ..types import (BIGINT, BOOLEAN, DOUBLE, INTEGER, NULL, STRING, SqlType, common_numeric,
                     common_type)

PSEUDO_UNSUPPORTED = ("ROWPARTITION", "ROWOFFSET")


class Unsupported(Exception):
    """A construct the Flink translation does not cover (caught in translate())."""

    def __init__(self, construct: str, reason: str, node=None):
        super().__init__(construct)
        self.construct, self.reason, self.node = construct, reason, node


def unsupported(construct: str, node=None, reason: str = "it is not translated to Flink SQL"):
    raise Unsupported(construct, reason, node)


@dataclass
class Scope:
    """Sources by alias, and the window (WINDOWSTART / WINDOWEND resolve against it)."""
    sources: dict
    window: ast.WindowSpec | None = None
    multi: bool = False

    def resolve(self, ref: ast.ColumnRef):
        """(alias, (name, type, is_key)) of a column, or raise Unsupported."""
        if ref.source is not None:
            src = self.sources.get(ref.source) or next(
                (s for s in self.sources.values() if s.name == ref.source), None)
            col = src.column(ref.name) if src else None
            alias = ref.source
            if src is not None and ref.source not in self.sources:
                alias = next(a for a, s in self.sources.items() if s is src)
            if col is not None:
                return alias, col
        else:
            hits = [(a, s.column(ref.name)) for a, s in self.sources.items()
                    if s.column(ref.name) is not None]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise Unsupported("ambiguous column %s" % ref.name, "qualify it", ref)
        raise Unsupported("column %s" % _dotted(ref), "it is not in the sources", ref)


def _dotted(ref: ast.ColumnRef) -> str:
    return ref.name if ref.source is None else "%s.%s" % (ref.source, ref.name)


def quote(name: str) -> str:
    """A Flink SQL identifier: backticks, an inner backtick doubled."""
    return "`%s`" % name.replace("`", "``")


def literal(text) -> str:
    """A Flink SQL string literal: single quotes, an inner single quote doubled (names and
    values from the user reach SET and WITH options through here, never raw)."""
    return "'%s'" % str(text).replace("'", "''")


def interval(ms: int) -> str:
    """A DAY TO SECOND literal: Flink rejects leading precisions above 2 on SECOND/MINUTE."""
    days, rest = divmod(int(ms), 86_400_000)
    h, rest = divmod(rest, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    precision = max(2, len(str(days)))
    return "INTERVAL '%d %02d:%02d:%02d.%03d' DAY(%d) TO SECOND(3)" % (days, h, m, s, milli,
                                                                       precision)


def epoch_ms(ts_sql: str) -> str:
    """Epoch milliseconds of a TIMESTAMP(3) (Flink forbids casting timestamps to numbers)."""
    return "(EXTRACT(EPOCH FROM %s) * 1000 + EXTRACT(MILLISECOND FROM %s))" % (ts_sql, ts_sql)


# =========================================================================================
# Types
# =========================================================================================

_FLINK_TYPES = {"BOOLEAN": "BOOLEAN", "INTEGER": "INT", "BIGINT": "BIGINT",
                "DOUBLE": "DOUBLE", "STRING": "STRING", "BYTES": "BYTES"}


def flink_type(t: SqlType, column: str = "") -> str:
    if t.base in _FLINK_TYPES:
        return _FLINK_TYPES[t.base]
    if t.base == "DECIMAL":
        return "DECIMAL(%d, %d)" % (t.precision, t.scale)
    if t.base == "ARRAY":
        return "ARRAY<%s>" % flink_type(t.element, column)
    if t.base == "MAP":
        return "MAP<%s, %s>" % (flink_type(t.key, column), flink_type(t.value, column))
    if t.base == "STRUCT":
        return "ROW<%s>" % ", ".join("%s %s" % (quote(n), flink_type(ft, column))
                                     for n, ft in t.fields)
    raise Unsupported("a %s column%s" % (t, " (%s)" % column if column else ""),
                      "ksqlDB writes it to JSON as a number, Flink's JSON format as text"
                      if t.is_temporal else "no Flink type is mapped")


# =========================================================================================
# Functions: name -> (renderer, return type)
# =========================================================================================

def _call(flink_name):
    return lambda args, node: "%s(%s)" % (flink_name, ", ".join(args))


def _arg_type(i=0):
    return lambda types: types[i]


def _const(t):
    return lambda types: t


def _avg(args, node):
    return "AVG(CAST(%s AS DOUBLE))" % args[0]


def _count(args, node):
    if node.star or not args:
        return "COUNT(*)"
    return "COUNT(%s%s)" % ("DISTINCT " if node.distinct else "", args[0])


def _count_distinct(args, node):
    return "COUNT(DISTINCT %s)" % args[0]


AGGREGATES = {
    "COUNT": (_count, _const(BIGINT)),
    "COUNT_DISTINCT": (_count_distinct, _const(BIGINT)),
    "SUM": (_call("SUM"), _arg_type()),
    "MIN": (_call("MIN"), _arg_type()),
    "MAX": (_call("MAX"), _arg_type()),
    "AVG": (_avg, _const(DOUBLE)),
    "STDDEV_SAMP": (lambda a, n: "STDDEV_SAMP(CAST(%s AS DOUBLE))" % a[0], _const(DOUBLE)),
}

SCALARS = {
    "UCASE": (_call("UPPER"), _const(STRING)),
    "LCASE": (_call("LOWER"), _const(STRING)),
    "LEN": (_call("CHAR_LENGTH"), _const(INTEGER)),
    "CONCAT": (_call("CONCAT"), _const(STRING)),
    "TRIM": (_call("TRIM"), _const(STRING)),
    "SUBSTRING": (_call("SUBSTRING"), _const(STRING)),
    "REPLACE": (_call("REPLACE"), _const(STRING)),
    "LPAD": (_call("LPAD"), _const(STRING)),
    "RPAD": (_call("RPAD"), _const(STRING)),
    "ABS": (_call("ABS"), _arg_type()),
    "CEIL": (_call("CEIL"), _arg_type()),
    "FLOOR": (_call("FLOOR"), _arg_type()),
    "SQRT": (_call("SQRT"), _const(DOUBLE)),
    "EXP": (_call("EXP"), _const(DOUBLE)),
    "LN": (_call("LN"), _const(DOUBLE)),
    "COALESCE": (_call("COALESCE"), lambda ts: common_type(ts) or ts[0]),
    "IFNULL": (_call("IFNULL"), lambda ts: common_type(ts) or ts[0]),
}

# Functions we know Flink has no faithful equivalent for: a clearer message than "unknown".
NO_EQUIVALENT = {
    "TOPK": "Flink has no TOPK aggregate",
    "TOPKDISTINCT": "Flink has no TOPKDISTINCT aggregate",
    "HISTOGRAM": "Flink has no HISTOGRAM aggregate",
    "COLLECT_LIST": "Flink's ARRAY_AGG differs in null and order handling",
    "COLLECT_SET": "Flink has no set-valued aggregate",
    "CORRELATION": "Flink has no CORRELATION aggregate",
    "EARLIEST_BY_OFFSET": "Flink has no offset order",
    "LATEST_BY_OFFSET": "Flink has no offset order",
    "TRANSFORM": "Flink SQL has no lambdas",
    "FILTER": "Flink SQL has no lambdas",
    "REDUCE": "Flink SQL has no lambdas",
    "ROUND": "ksqlDB's ROUND returns BIGINT for whole rounding, Flink's keeps the type",
    "EXPLODE": "table functions are not translated",
}


def is_aggregate(name: str) -> bool:
    return name.upper() in AGGREGATES or name.upper() in (
        "TOPK", "TOPKDISTINCT", "HISTOGRAM", "COLLECT_LIST", "COLLECT_SET", "CORRELATION",
        "EARLIEST_BY_OFFSET", "LATEST_BY_OFFSET")


def _function_entry(node: ast.FunctionCall):
    entry = AGGREGATES.get(node.name) or SCALARS.get(node.name)
    if entry is not None:
        return entry
    if node.name in NO_EQUIVALENT:
        raise Unsupported("function %s" % node.name, NO_EQUIVALENT[node.name], node)
    raise Unsupported("function %s" % node.name, "it is a user-defined function or has no "
                      "Flink translation", node)


# =========================================================================================
# Rendering
# =========================================================================================

_OPS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
        "+": "+", "-": "-", "*": "*", "/": "/", "||": "||", "AND": "AND", "OR": "OR"}


def render(e: ast.Expr, scope: Scope) -> str:
    fn = RENDER.get(type(e))
    if fn is None:
        unsupported(_NODE_NAMES.get(type(e).__name__, type(e).__name__), e)
    return fn(e, scope)


def _literal(e: ast.Literal, scope) -> str:
    v = e.value
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return literal(v)
    if e.type.base == "BIGINT":
        return "CAST(%d AS BIGINT)" % v
    if e.type.base == "DOUBLE":
        return "CAST(%r AS DOUBLE)" % float(v)
    if isinstance(v, (int, Decimal)):
        return str(v)
    unsupported("a %s literal" % e.type, e)


def _column(e: ast.ColumnRef, scope: Scope) -> str:
    if e.name == "ROWTIME":
        alias = e.source or next(iter(scope.sources))
        return epoch_ms("CAST(%s.`ROWTIME` AS TIMESTAMP(3))" % quote(alias))
    if e.name in ("WINDOWSTART", "WINDOWEND"):
        if scope.window is None:
            unsupported("%s outside a windowed aggregation" % e.name, e)
        if e.name == "WINDOWEND" and scope.window.kind == "SESSION":
            return "%s - %d" % (epoch_ms("window_end"), scope.window.size)
        return epoch_ms("window_start" if e.name == "WINDOWSTART" else "window_end")
    if e.name in PSEUDO_UNSUPPORTED:
        unsupported("pseudo-column %s" % e.name, e, "Flink reads no partition/offset here")
    alias, col = scope.resolve(e)
    return "%s.%s" % (quote(alias), quote(col[0]))


def _binary(e: ast.BinaryOp, scope) -> str:
    if e.op == "%":
        return "MOD(%s, %s)" % (render(e.left, scope), render(e.right, scope))
    if e.op not in _OPS:
        unsupported("operator %s" % e.op, e)
    return "(%s %s %s)" % (render(e.left, scope), _OPS[e.op], render(e.right, scope))


def _unary(e: ast.UnaryOp, scope) -> str:
    return "(%s %s)" % ("NOT" if e.op.upper() == "NOT" else e.op, render(e.operand, scope))


def _is_null(e: ast.IsNull, scope) -> str:
    return "(%s IS %sNULL)" % (render(e.operand, scope), "NOT " if e.negated else "")


def _distinct(e: ast.IsDistinctFrom, scope) -> str:
    return "(%s IS %sDISTINCT FROM %s)" % (render(e.left, scope), "NOT " if e.negated else "",
                                           render(e.right, scope))


def _like(e: ast.Like, scope) -> str:
    esc = " ESCAPE %s" % render(e.escape, scope) if e.escape is not None else ""
    return "(%s %sLIKE %s%s)" % (render(e.operand, scope), "NOT " if e.negated else "",
                                 render(e.pattern, scope), esc)


def _between(e: ast.Between, scope) -> str:
    return "(%s %sBETWEEN %s AND %s)" % (render(e.operand, scope), "NOT " if e.negated else "",
                                         render(e.low, scope), render(e.high, scope))


def _in_list(e: ast.InList, scope) -> str:
    return "(%s %sIN (%s))" % (render(e.operand, scope), "NOT " if e.negated else "",
                               ", ".join(render(i, scope) for i in e.items))


def _case(e: ast.Case, scope) -> str:
    head = "CASE" + (" " + render(e.operand, scope) if e.operand is not None else "")
    whens = " ".join("WHEN %s THEN %s" % (render(w, scope), render(t, scope))
                     for w, t in e.whens)
    tail = " ELSE %s" % render(e.default, scope) if e.default is not None else ""
    return "(%s %s%s END)" % (head, whens, tail)


def _cast(e: ast.Cast, scope) -> str:
    return "CAST(%s AS %s)" % (render(e.operand, scope), flink_type(e.type))


def _deref(e: ast.Dereference, scope) -> str:
    return "%s.%s" % (render(e.base, scope), quote(e.field))


def _subscript(e: ast.Subscript, scope) -> str:
    idx = e.index
    if isinstance(idx, ast.Literal) and isinstance(idx.value, int) and idx.value < 0:
        unsupported("a negative array index", idx, "Flink indexes arrays from the start only")
    return "%s[%s]" % (render(e.base, scope), render(idx, scope))


def _function(e: ast.FunctionCall, scope) -> str:
    fn, _ = _function_entry(e)
    return fn([render(a, scope) for a in e.args], e)


def _array(e: ast.ArrayConstructor, scope) -> str:
    return "ARRAY[%s]" % ", ".join(render(i, scope) for i in e.items)


RENDER = {
    ast.Literal: _literal, ast.ColumnRef: _column, ast.BinaryOp: _binary,
    ast.UnaryOp: _unary, ast.IsNull: _is_null, ast.IsDistinctFrom: _distinct,
    ast.Like: _like, ast.Between: _between, ast.InList: _in_list, ast.Case: _case,
    ast.Cast: _cast, ast.Dereference: _deref, ast.Subscript: _subscript,
    ast.FunctionCall: _function, ast.ArrayConstructor: _array,
}

_NODE_NAMES = {"Lambda": "a lambda", "StructConstructor": "STRUCT(...) constructor",
               "MapConstructor": "MAP(...) constructor", "TimeUnit": "a time-unit argument"}


# =========================================================================================
# Typing (for the sink's DDL) and output names
# =========================================================================================

_COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=", "AND", "OR")


def type_of(e: ast.Expr, scope: Scope) -> SqlType:
    fn = TYPES.get(type(e))
    if fn is None:
        unsupported(_NODE_NAMES.get(type(e).__name__, type(e).__name__), e)
    return fn(e, scope)


def _column_type(e: ast.ColumnRef, scope) -> SqlType:
    if e.name in ("ROWTIME", "WINDOWSTART", "WINDOWEND"):
        return BIGINT
    if e.name in PSEUDO_UNSUPPORTED:
        unsupported("pseudo-column %s" % e.name, e, "Flink reads no partition/offset here")
    return scope.resolve(e)[1][1]


def _binary_type(e: ast.BinaryOp, scope) -> SqlType:
    if e.op in _COMPARISONS:
        return BOOLEAN
    if e.op == "||":
        return STRING
    return common_numeric(type_of(e.left, scope), type_of(e.right, scope))


def _function_type(e: ast.FunctionCall, scope) -> SqlType:
    _, rtype = _function_entry(e)
    return rtype([type_of(a, scope) for a in e.args])


def _case_type(e: ast.Case, scope) -> SqlType:
    ts = [type_of(t, scope) for _, t in e.whens]
    if e.default is not None:
        ts.append(type_of(e.default, scope))
    return common_type(ts) or ts[0]


def _deref_type(e: ast.Dereference, scope) -> SqlType:
    base = type_of(e.base, scope)
    ft = base.field_type(e.field) if base.base == "STRUCT" else None
    if ft is None:
        unsupported("field %s" % e.field, e, "not a field of %s" % base)
    return ft


def _subscript_type(e: ast.Subscript, scope) -> SqlType:
    base = type_of(e.base, scope)
    return base.element if base.base == "ARRAY" else base.value


TYPES = {
    ast.Literal: lambda e, s: e.type if e.type != NULL else STRING,
    ast.ColumnRef: _column_type, ast.BinaryOp: _binary_type,
    ast.UnaryOp: lambda e, s: BOOLEAN if e.op.upper() == "NOT" else type_of(e.operand, s),
    ast.IsNull: lambda e, s: BOOLEAN, ast.IsDistinctFrom: lambda e, s: BOOLEAN,
    ast.Like: lambda e, s: BOOLEAN, ast.Between: lambda e, s: BOOLEAN,
    ast.InList: lambda e, s: BOOLEAN, ast.Case: _case_type,
    ast.Cast: lambda e, s: e.type, ast.Dereference: _deref_type,
    ast.Subscript: _subscript_type, ast.FunctionCall: _function_type,
    ast.ArrayConstructor: lambda e, s: SqlType("ARRAY", element=common_type(
        [type_of(i, s) for i in e.items]) or STRING),
}


def output_name(e: ast.Expr, counter: list[int]) -> str:
    """ksqlDB's naming: a column keeps its name, a struct field its field name, anything else
    KSQL_COL_<n> in order of appearance."""
    if isinstance(e, ast.ColumnRef):
        return e.name
    if isinstance(e, ast.Dereference):
        return e.field
    name = "KSQL_COL_%d" % counter[0]
    counter[0] += 1
    return name
