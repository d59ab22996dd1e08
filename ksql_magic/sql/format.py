"""Expressions and types back to text, in the style of ksqlDB's ExpressionFormatter.

Used in error messages ("Cannot compare ID (INTEGER) to 'x' (STRING) ...") and for the
names of derived columns, so the shapes follow ksqlDB: binary operators and predicates
wrapped in parentheses, string literals single-quoted, NULL and booleans lower-case,
names back-quoted only when they could not be written bare.
"""

from __future__ import annotations

from ..javatext import java_double_str

import re

from .. import types
from . import ast
from .parser_core import RESERVED

_BARE_NAME = re.compile(r"^[A-Z_][A-Z0-9_@]*$")


def format_name(name: str) -> str:
    """A name as ksqlDB prints it: bare if it would read back the same, else back-quoted."""
    if _BARE_NAME.match(name) and name not in RESERVED:
        return name
    return "`%s`" % name.replace("`", "``")


def format_type(t: types.SqlType) -> str:
    return str(t)


java_double = java_double_str


def _literal(e: ast.Literal) -> str:
    v = e.value
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'%s'" % v.replace("'", "''")
    if isinstance(v, float):
        return java_double(v)
    return str(v)


def _column(e: ast.ColumnRef) -> str:
    if e.source:
        return "%s.%s" % (format_name(e.source), format_name(e.name))
    return format_name(e.name)


def _binary(e: ast.BinaryOp) -> str:
    return "(%s %s %s)" % (format_expression(e.left), e.op, format_expression(e.right))


def _unary(e: ast.UnaryOp) -> str:
    if e.op == "NOT":
        return "(NOT %s)" % format_expression(e.operand)
    return "%s%s" % (e.op, format_expression(e.operand))


def _call(e: ast.FunctionCall) -> str:
    if e.star:
        return "%s(*)" % e.name
    args = _list(e.args)
    return "%s(%s%s)" % (e.name, "DISTINCT " if e.distinct else "", args)


def _list(items) -> str:
    return ", ".join(format_expression(i) for i in items)


def _not(negated: bool) -> str:
    return "NOT " if negated else ""


def _is_null(e: ast.IsNull) -> str:
    return "(%s IS %sNULL)" % (format_expression(e.operand), _not(e.negated))


def _distinct(e: ast.IsDistinctFrom) -> str:
    return "(%s IS %sDISTINCT FROM %s)" % (format_expression(e.left), _not(e.negated),
                                           format_expression(e.right))


def _like(e: ast.Like) -> str:
    esc = " ESCAPE %s" % format_expression(e.escape) if e.escape is not None else ""
    return "(%s %sLIKE %s%s)" % (format_expression(e.operand), _not(e.negated),
                                 format_expression(e.pattern), esc)


def _between(e: ast.Between) -> str:
    return "(%s %sBETWEEN %s AND %s)" % (format_expression(e.operand), _not(e.negated),
                                         format_expression(e.low), format_expression(e.high))


def _in(e: ast.InList) -> str:
    return "(%s %sIN (%s))" % (format_expression(e.operand), _not(e.negated), _list(e.items))


def _case(e: ast.Case) -> str:
    parts = ["CASE"]
    if e.operand is not None:
        parts.append(format_expression(e.operand))
    for cond, result in e.whens:
        parts.append("WHEN %s THEN %s" % (format_expression(cond), format_expression(result)))
    if e.default is not None:
        parts.append("ELSE " + format_expression(e.default))
    parts.append("END")
    return "(%s)" % " ".join(parts)


def _lambda(e: ast.Lambda) -> str:
    params = ", ".join(format_name(p) for p in e.params)
    if len(e.params) != 1:
        params = "(%s)" % params
    return "%s => %s" % (params, format_expression(e.body))


_FORMATTERS = {
    ast.Literal: _literal,
    ast.ColumnRef: _column,
    ast.BinaryOp: _binary,
    ast.UnaryOp: _unary,
    ast.FunctionCall: _call,
    ast.TimeUnit: lambda e: e.unit,
    ast.Dereference: lambda e: "%s->%s" % (format_expression(e.base), format_name(e.field)),
    ast.Subscript: lambda e: "%s[%s]" % (format_expression(e.base), format_expression(e.index)),
    ast.IsNull: _is_null,
    ast.IsDistinctFrom: _distinct,
    ast.Like: _like,
    ast.Between: _between,
    ast.InList: _in,
    ast.Case: _case,
    ast.Cast: lambda e: "CAST(%s AS %s)" % (format_expression(e.operand), format_type(e.type)),
    ast.ArrayConstructor: lambda e: "ARRAY[%s]" % _list(e.items),
    ast.MapConstructor: lambda e: "MAP(%s)" % ", ".join(
        "%s:=%s" % (format_expression(k), format_expression(v)) for k, v in e.entries),
    ast.StructConstructor: lambda e: "STRUCT(%s)" % ", ".join(
        "%s:=%s" % (format_name(n), format_expression(v)) for n, v in e.fields),
    ast.Lambda: _lambda,
}


def format_expression(expr: ast.Expr) -> str:
    """The ksqlDB text of an expression tree."""
    fmt = _FORMATTERS.get(type(expr))
    if fmt is None:
        return str(expr)
    return fmt(expr)
