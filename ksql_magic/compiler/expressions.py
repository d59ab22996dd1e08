"""Typed expressions -> Python callables, compiled once per query.

Why code generation: a query evaluates the same few expressions millions of times, so each
expression becomes one Python lambda over the row list (``r``), with SQL's NULL rules
written inline (walrus temporaries, no per-node calls). Type checking happens here too, so
every type error carries the offending node's position.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

from .. import types as T
from ..errors import KsqlError, KsqlStatementError
from ..sql import ast
from ..runtime.guard import RecordError
from ..types import SqlType
from . import casts, coercion
from .scope import Scope

try:
    from ..sql.format import format_expression
except ImportError:  # pragma: no cover - bring-up only
    def format_expression(e):
        return type(e).__name__

CMP_NAMES = {"=": "EQUAL", "<>": "NOT_EQUAL", "!=": "NOT_EQUAL", "<": "LESS_THAN",
             "<=": "LESS_THAN_OR_EQUAL", ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL"}
PY_CMP = {"=": "==", "<>": "!=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
ARITH = ("+", "-", "*", "/", "%")


@dataclass
class Compiled:
    code: str
    type: SqlType


class ExprError(KsqlStatementError):
    pass


def _err(node: ast.Node, msg: str) -> KsqlStatementError:
    return KsqlStatementError(msg, node.pos.line or None, node.pos.column or None)


def _arith_type_name(t: SqlType) -> str:
    """ksqlDB has no type for a bare NULL literal and prints it as Java's `null`."""
    return "null" if t.base == "NULL" else str(t)


def _wrap32(v):
    return ((v + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def _wrap64(v):
    return ((v + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000


def _jdiv(a, b):
    """Java integer division (truncates toward zero); None on division by zero."""
    if b == 0:
        return None
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _jmod(a, b):
    if b == 0:
        return None
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


def _fdiv(a, b):
    if b == 0:
        if a == 0 or a != a:
            return float("nan")
        return float("inf") if a > 0 else float("-inf")
    return a / b


def _fmod(a, b):
    """Java's double remainder: NaN for x % 0 and for an infinite or NaN dividend
    (``Infinity % 2`` is NaN), x for a finite x % Infinity."""
    if b == 0 or a != a or b != b or a in _INFINITIES:
        return float("nan")
    return math.fmod(a, b)


_INFINITIES = (float("inf"), float("-inf"))
MAX_NESTING = 40       # brackets deep before a sub-expression is outlined (Python allows 200)
_BRACKETS = re.compile(r"[()\[\]{}]")


def _nesting(code: str) -> int:
    """How deep brackets nest in generated code. A bracket inside a string literal may
    miscount by a level or so; the margin (40 of Python's 200) absorbs it."""
    depth = best = 0
    for b in _BRACKETS.findall(code):
        if b in "([{":
            depth += 1
            if depth > best:
                best = depth
        else:
            depth -= 1
    return best


def _array_index(arr, i):
    if arr is None or i is None:
        return None
    n = len(arr)
    if i > 0 and i <= n:
        return arr[i - 1]
    if i < 0 and -i <= n:
        return arr[n + i]
    return None


class LikePattern:
    """A LIKE pattern matched without backtracking, so no value can make it slow.

    Why not one regular expression: ``%`` as ``.*`` backtracks polynomially (``%a%a%a%b``
    on a long run of a's takes seconds). Split at ``%``, the pattern is a sequence of
    fixed-length segments (literal characters and ``_``): the first must match at the start,
    the last at the end, and each middle one at its leftmost place after the previous one,
    which is the optimal choice for such patterns. Each segment is searched on its own, in
    time linear in the value times the segment's length."""

    __slots__ = ("segments", "last_len")

    def __init__(self, pattern: str, escape: Optional[str]):
        parts: list[list[str]] = [[]]
        i = 0
        while i < len(pattern):
            c = pattern[i]
            if escape and c == escape and i + 1 < len(pattern):
                parts[-1].append(re.escape(pattern[i + 1]))
                i += 2
                continue
            if c == "%":
                parts.append([])
            else:
                parts[-1].append("." if c == "_" else re.escape(c))
            i += 1
        self.segments = [re.compile("".join(p), re.DOTALL) for p in parts]
        self.last_len = len(parts[-1])

    def matches(self, value: str) -> bool:
        segs = self.segments
        if len(segs) == 1:
            return segs[0].fullmatch(value) is not None
        m = segs[0].match(value)
        if m is None:
            return False
        pos, end = m.end(), len(value) - self.last_len
        if end < pos or segs[-1].fullmatch(value, end) is None:
            return False
        for seg in segs[1:-1]:
            m = seg.search(value, pos, end)
            if m is None:
                return False
            pos = m.end()
        return True


@functools.lru_cache(maxsize=256)
def _like_pattern(pattern: str, escape: Optional[str]) -> LikePattern:
    return LikePattern(pattern, escape)


def _like(value, pattern, escape):
    if value is None or pattern is None:
        return None
    return _like_pattern(pattern, escape).matches(value)


def _decimal_arith_type(op: str, a: SqlType, b: SqlType) -> SqlType:
    a, b = T.decimal_for_integral(a), T.decimal_for_integral(b)
    p1, s1, p2, s2 = a.precision, a.scale, b.precision, b.scale
    if op in "+-":
        s = max(s1, s2)
        p = max(p1 - s1, p2 - s2) + s + 1
    elif op == "*":
        p, s = p1 + p2 + 1, s1 + s2
    elif op == "/":
        s = max(6, s1 + p2 + 1)
        p = p1 - s1 + s2 + s
    else:
        s = max(s1, s2)
        p = min(p1 - s1, p2 - s2) + s
    return T.decimal(min(p, 38), min(s, 38))


def _dec_op(op, t: SqlType):
    def f(a, b):
        a, b = Decimal(a), Decimal(b)
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            r = a * b
        elif op == "/":
            if b == 0:
                return None
            r = a / b
        else:
            if b == 0:
                return None
            r = a.remainder_near(b) if False else a % b
        return casts.quantize(r, t)
    return f


class ExprCompiler:
    """Compiles expressions over one scope. ``substitutions`` maps whole sub-expressions
    (aggregate calls, GROUP BY expressions) to slots already computed in the row."""

    def __init__(self, scope: Scope, registry, substitutions: Optional[dict] = None,
                 custom_types: Optional[dict] = None):
        self.scope = scope
        self.registry = registry
        self.subs = substitutions or {}
        self.custom_types = custom_types or {}
        self.ns: dict[str, Any] = {"_jdiv": _jdiv, "_jmod": _jmod, "_fdiv": _fdiv, "_fmod": _fmod,
                                   "_w32": _wrap32, "_w64": _wrap64, "_aidx": _array_index,
                                   "_like": _like, "Decimal": Decimal}
        self._ids = itertools.count()

    # -- public ---------------------------------------------------------------------------
    def compile(self, expr: ast.Expr) -> Compiled:
        return self._c(expr)

    def to_function(self, compiled: Compiled) -> Callable[[list], Any]:
        """The row function; it carries its source text and namespace (``ksql_code``,
        ``ksql_ns``) so the batch path (runtime/batch.py) can inline it into one loop."""
        fn = eval("lambda r: " + compiled.code, self.ns)  # noqa: S307 - our own generated code
        fn.ksql_code, fn.ksql_ns = compiled.code, self.ns
        return fn

    def function(self, expr: ast.Expr) -> tuple[Callable[[list], Any], SqlType]:
        c = self.compile(expr)
        return self.to_function(c), c.type

    def predicate(self, expr: ast.Expr, clause: str) -> Callable[[list], Any]:
        try:
            c = self.compile(expr)
        except coercion.CoercionError as e:
            e.message = "Invalid Predicate: " + e.message
            e.args = (e._format(),)
            raise
        except KsqlStatementError as e:
            if e.message.startswith("Cannot compare"):
                e.message = "Error in %s expression: %s" % (clause, e.message)
                e.args = (e._format(),)
            raise
        if c.type.base not in ("BOOLEAN", "NULL"):
            raise _err(expr, "Type error in %s expression: Should evaluate to boolean but is %s (%s) instead."
                       % (clause, format_expression(expr), c.type))
        return self.to_function(c)

    # -- helpers ----------------------------------------------------------------------------
    def _tmp(self) -> str:
        return "_t%d" % next(self._ids)

    def _const(self, value) -> str:
        name = "_k%d" % next(self._ids)
        self.ns[name] = value
        return name

    def _bind(self, fn) -> str:
        return self._const(fn)

    def convert(self, c: Compiled, dst: SqlType, node: ast.Node, explicit=False) -> Compiled:
        """Widen (implicitly) or cast (explicitly) a compiled value to ``dst``."""
        if c.type == dst or dst.base == "NULL":
            return c
        if c.type.base == "NULL":
            return Compiled(c.code, dst)
        try:
            conv = casts.converter(c.type, dst, explicit)
        except KsqlStatementError as e:
            raise _err(node, e.message)
        if conv is None:
            return Compiled(c.code, dst)
        f = self._bind(conv)
        t = self._tmp()
        return Compiled("(None if (%s:=%s) is None else %s(%s))" % (t, c.code, f, t), dst)

    def _safe_call(self, fname: str, args: list[str]) -> str:
        """Call a bound function; errors inside it give NULL, as ksqlDB does per record."""
        return "%s(%s)" % (fname, ", ".join(args))

    # -- dispatch -------------------------------------------------------------------------
    def _c(self, e: ast.Expr) -> Compiled:
        if self.subs:
            slot = self.subs.get(e)
            if slot is not None:
                return Compiled("r[%d]" % slot.index, slot.type)
        handler = getattr(self, "_c_" + type(e).__name__, None)
        if handler is None:
            raise _err(e, "Unsupported expression: %s" % type(e).__name__)
        return self._outline(handler(e))

    def _outline(self, c: Compiled) -> Compiled:
        """Keep generated code within what Python's compiler accepts (200 nested brackets):
        a sub-expression nested deeper than ``MAX_NESTING`` becomes a function of its own,
        called from its parent. So `a + a + ... ` with 1000 terms, 300 ANDs or a CASE with
        200 WHENs compile into a chain of small functions instead of one giant lambda."""
        if len(c.code) < 2 * MAX_NESTING or _nesting(c.code) < MAX_NESTING:
            return c
        return Compiled(self._function_call(c.code), c.type)

    def _function_call(self, code: str) -> str:
        """Bind ``code`` as a function of the row (and of the lambda parameters in scope,
        so it can be outlined inside a TRANSFORM body too); returns the call's code."""
        params = "".join(", " + py for py, _ in self.scope.lambda_vars.values())
        fn = eval("lambda r%s: %s" % (params, code), self.ns)  # noqa: S307 - our own code
        return "%s(r%s)" % (self._bind(fn), params)

    def _c_Literal(self, e: ast.Literal) -> Compiled:
        v = e.value
        if v is None or isinstance(v, (bool, int)):
            return Compiled(repr(v), e.type)
        if isinstance(v, float):
            return Compiled(self._const(v), e.type)
        return Compiled(self._const(v), e.type)

    def _c_ColumnRef(self, e: ast.ColumnRef) -> Compiled:
        if e.source is None and e.name in self.scope.lambda_vars:
            pyname, t = self.scope.lambda_vars[e.name]
            return Compiled(pyname, t)
        slot = self.scope.resolve(e)
        return Compiled("r[%d]" % slot.index, slot.type)

    def _c_TimeUnit(self, e: ast.TimeUnit) -> Compiled:
        return Compiled(repr(e.unit), T.STRING)

    def _c_Dereference(self, e: ast.Dereference) -> Compiled:
        base = self._c(e.base)
        if base.type.base != "STRUCT":
            raise _err(e, "Can't dereference field '%s' of non-struct type %s" % (e.field, base.type))
        ft = base.type.field_type(e.field)
        if ft is None:
            raise _err(e, "Could not find field '%s' in '%s'." % (e.field, format_expression(e.base)))
        name = next(n for n, t in base.type.fields if n.upper() == e.field.upper() and t == ft)
        t = self._tmp()
        return Compiled("(None if (%s:=%s) is None else %s.get(%r))" % (t, base.code, t, name), ft)

    def _c_Subscript(self, e: ast.Subscript) -> Compiled:
        base = self._c(e.base)
        idx = self._c(e.index)
        if base.type.base == "ARRAY":
            if not idx.type.is_integral:
                raise _err(e.index, "Array index must be an INTEGER, not %s" % idx.type)
            return Compiled("_aidx(%s, %s)" % (base.code, idx.code), base.type.element)
        if base.type.base == "MAP":
            idx = self.convert(idx, base.type.key, e.index)
            t = self._tmp()
            return Compiled("(None if (%s:=%s) is None else %s.get(%s))" % (t, base.code, t, idx.code),
                            base.type.value)
        raise _err(e, "Subscript expression can only be applied to ARRAY or MAP, not %s" % base.type)

    def _c_UnaryOp(self, e: ast.UnaryOp) -> Compiled:
        a = self._c(e.operand)
        t = self._tmp()
        if e.op == "NOT":
            self._require_bool(e.operand, a)
            return Compiled("(None if (%s:=%s) is None else not %s)" % (t, a.code, t), T.BOOLEAN)
        if not (a.type.is_numeric or a.type.base == "NULL"):
            raise _err(e, "Unsupported unary operator %s on %s" % (e.op, a.type))
        if e.op == "+":
            return a
        neg = "-%s" % t
        if a.type.base in ("INTEGER", "BIGINT"):
            # Java's negation wraps: -(-2147483648) is -2147483648
            neg = "%s(-%s)" % ("_w32" if a.type.base == "INTEGER" else "_w64", t)
        code = "(None if (%s:=%s) is None else %s)" % (t, a.code, neg)
        return Compiled(code, a.type)

    def _require_bool(self, node, c: Compiled):
        if c.type.base not in ("BOOLEAN", "NULL"):
            raise _err(node, "Logical operator requires BOOLEAN operands, but %s is %s"
                       % (format_expression(node), c.type))

    def _c_BinaryOp(self, e: ast.BinaryOp) -> Compiled:
        if e.op in ("AND", "OR"):
            return self._logical(e)
        if e.op in CMP_NAMES:
            return self._comparison(e)
        if e.op == "||":
            return self._pipes(e)
        return self._arithmetic(e)

    def _logical(self, e: ast.BinaryOp) -> Compiled:
        a, b = self._c(e.left), self._c(e.right)
        self._require_bool(e.left, a)
        self._require_bool(e.right, b)
        x, y = self._tmp(), self._tmp()
        if e.op == "AND":
            code = ("(False if (%s:=%s) is False else (False if (%s:=%s) is False else "
                    "(None if %s is None or %s is None else True)))" % (x, a.code, y, b.code, x, y))
        else:
            code = ("(True if (%s:=%s) is True else (True if (%s:=%s) is True else "
                    "(None if %s is None or %s is None else False)))" % (x, a.code, y, b.code, x, y))
        return Compiled(code, T.BOOLEAN)

    def _coerce_literal(self, node, c: Compiled, target: SqlType, other) -> Compiled:
        """A string literal compared with ROWTIME / WINDOWSTART / WINDOWEND is a timestamp;
        elsewhere it stays a STRING (and the comparison is a type error, as in ksqlDB)."""
        if not (isinstance(node, ast.Literal) and isinstance(node.value, str)):
            return c
        if isinstance(other, ast.ColumnRef) and other.name in ("ROWTIME", "WINDOWSTART", "WINDOWEND") \
                and target.is_integral:
            try:
                from ..temporal import parse_partial_timestamp
                return Compiled(repr(parse_partial_timestamp(node.value)), target)
            except ValueError:
                pass
        return c

    def comparable(self, e: ast.Node, left_node, right_node, a: Compiled, b: Compiled, opname: str):
        """Bring two operands to a common comparable type, or raise ksqlDB's message."""
        ta, tb = a.type, b.type
        if ta.base == "NULL" and tb.base == "NULL" and opname not in ("IS_DISTINCT_FROM",):
            raise _err(e, "Comparison with NULL not supported: NULL %s NULL" % {
                "EQUAL": "=", "NOT_EQUAL": "<>", "LESS_THAN": "<", "LESS_THAN_OR_EQUAL": "<=",
                "GREATER_THAN": ">", "GREATER_THAN_OR_EQUAL": ">="}.get(opname, opname))
        if ta.base == "NULL" or tb.base == "NULL":
            return a, b
        if tb.base == "STRING" and ta.base != "STRING":
            b = self._coerce_literal(right_node, b, ta, left_node)
            tb = b.type
        elif ta.base == "STRING" and tb.base != "STRING":
            a = self._coerce_literal(left_node, a, tb, right_node)
            ta = a.type
        if ta.is_numeric and tb.is_numeric:
            if ta.base == "DOUBLE" or tb.base == "DOUBLE":
                return self.convert(a, T.DOUBLE, e), self.convert(b, T.DOUBLE, e)
            return a, b
        if ta.is_temporal and tb.base == "STRING":
            return a, self.convert(b, ta, e, explicit=True)
        if tb.is_temporal and ta.base == "STRING":
            return self.convert(a, tb, e, explicit=True), b
        if ta.is_temporal and tb.is_temporal and {ta.base, tb.base} <= {"TIMESTAMP", "DATE"}:
            return self.convert(a, T.TIMESTAMP, e), self.convert(b, T.TIMESTAMP, e)
        ok = ta.base == tb.base and (ta.base not in ("MAP", "STRUCT", "ARRAY") or opname in (
            "EQUAL", "NOT_EQUAL", "IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM"))
        if ta.base == "ARRAY" and ok:
            ok = ta == tb
        if not ok:
            raise _err(e, "Cannot compare %s (%s) to %s (%s) with %s." % (
                format_expression(left_node), ta, format_expression(right_node), tb, opname))
        return a, b

    def _comparison(self, e: ast.BinaryOp) -> Compiled:
        """ksqlDB evaluates a comparison with a NULL operand to false, not NULL."""
        a, b = self._c(e.left), self._c(e.right)
        a, b = self.comparable(e, e.left, e.right, a, b, CMP_NAMES[e.op])
        x, y = self._tmp(), self._tmp()
        code = "(False if (%s:=%s) is None or (%s:=%s) is None else %s %s %s)" % (
            x, a.code, y, b.code, x, PY_CMP[e.op], y)
        return Compiled(code, T.BOOLEAN)

    def _pipes(self, e: ast.BinaryOp) -> Compiled:
        """`||` concatenates strings and, unlike `+`, lets a NULL operand through."""
        a, b = self._c(e.left), self._c(e.right)
        for node, c in ((e.left, a), (e.right, b)):
            if c.type.base not in ("STRING", "NULL"):
                raise _err(node, "Error processing expression: %s. Unsupported arithmetic types. %s %s"
                           % (format_expression(e), a.type.base, b.type.base))
        return self._concat(e, a, b)

    def _concat(self, e: ast.BinaryOp, a: Compiled, b: Compiled) -> Compiled:
        x, y = self._tmp(), self._tmp()
        return Compiled("(None if (%s:=%s) is None or (%s:=%s) is None else %s + %s)"
                        % (x, a.code, y, b.code, x, y), T.STRING)

    @staticmethod
    def _check_arithmetic_types(e: ast.BinaryOp, ta: SqlType, tb: SqlType):
        """ksqlDB types arithmetic before anything else: an untyped NULL operand is refused
        first (its type prints as `null`), then any non-numeric pair by base type names."""
        if ta.base == "NULL" or tb.base == "NULL":
            raise _err(e, "Error processing expression: %s. Arithmetic on types %s and %s are not "
                       "supported." % (format_expression(e), _arith_type_name(ta), _arith_type_name(tb)))
        if not (ta.is_numeric and tb.is_numeric):
            raise _err(e, "Error processing expression: %s. Unsupported arithmetic types. %s %s"
                       % (format_expression(e), ta.base, tb.base))

    def _arithmetic(self, e: ast.BinaryOp) -> Compiled:
        a, b = self._c(e.left), self._c(e.right)
        ta, tb = a.type, b.type
        if e.op == "+" and ta.base == "STRING" and tb.base == "STRING":
            return self._concat(e, a, b)
        self._check_arithmetic_types(e, ta, tb)
        rt = T.common_numeric(ta, tb)
        x, y = self._tmp(), self._tmp()
        guard = "None if (%s:=%s) is None or (%s:=%s) is None else " % (x, a.code, y, b.code)
        if rt.base == "DECIMAL":
            rt = _decimal_arith_type(e.op, ta, tb)
            f = self._bind(_dec_op(e.op, rt))
            return Compiled("(%s%s(%s, %s))" % (guard, f, x, y), rt)
        if rt.base == "DOUBLE":
            body = {"+": "%s + %s", "-": "%s - %s", "*": "%s * %s",
                    "/": "_fdiv(%s, %s)", "%": "_fmod(%s, %s)"}[e.op] % (x, y)
            return Compiled("(%s%s)" % (guard, body), T.DOUBLE)
        wrap = "_w32" if rt.base == "INTEGER" else "_w64"
        body = {"+": "%s(%s + %s)", "-": "%s(%s - %s)", "*": "%s(%s * %s)",
                "/": "%s(_jdiv(%s, %s))", "%": "%s(_jmod(%s, %s))"}[e.op]
        if e.op in "/%":
            t = self._tmp()
            inner = ("_jdiv(%s, %s)" if e.op == "/" else "_jmod(%s, %s)") % (x, y)
            return Compiled("(%s(None if (%s:=%s) is None else %s(%s)))" % (guard, t, inner, wrap, t), rt)
        return Compiled("(%s%s)" % (guard, body % (wrap, x, y)), rt)

    def _c_IsNull(self, e: ast.IsNull) -> Compiled:
        a = self._c(e.operand)
        return Compiled("((%s) is %sNone)" % (a.code, "not " if e.negated else ""), T.BOOLEAN)

    def _c_IsDistinctFrom(self, e: ast.IsDistinctFrom) -> Compiled:
        a, b = self._c(e.left), self._c(e.right)
        a, b = self.comparable(e, e.left, e.right, a, b, "IS_DISTINCT_FROM")
        code = "((%s) %s (%s))" % (a.code, "==" if e.negated else "!=", b.code)
        return Compiled(code, T.BOOLEAN)

    def _c_Like(self, e: ast.Like) -> Compiled:
        a, p = self._c(e.operand), self._c(e.pattern)
        for c in (a, p):
            if c.type.base not in ("STRING", "NULL"):
                raise _err(e, "The column type for Like condition must be VARCHAR. The column type is %s"
                           % c.type)
        esc = None
        if e.escape is not None:
            if not isinstance(e.escape, ast.Literal) or not isinstance(e.escape.value, str) \
                    or len(e.escape.value) != 1:
                raise _err(e.escape, "Escape character must be a single character")
            esc = e.escape.value
        neg = "not " if e.negated else ""
        x = self._tmp()
        if isinstance(e.pattern, ast.Literal) and isinstance(e.pattern.value, str):
            like = self._const(LikePattern(e.pattern.value, esc).matches)
            return Compiled("(None if (%s:=%s) is None else %s%s(%s))"
                            % (x, a.code, neg, like, x), T.BOOLEAN)
        y = self._tmp()
        return Compiled("(None if (%s:=_like(%s, %s, %r)) is None else %s%s)"
                        % (y, a.code, p.code, esc, neg, y), T.BOOLEAN)

    def _c_Between(self, e: ast.Between) -> Compiled:
        a, lo, hi = self._c(e.operand), self._c(e.low), self._c(e.high)
        a1, lo = self._between_bound(e, e.low, a, lo, "GREATER_THAN_OR_EQUAL")
        a2, hi = self._between_bound(e, e.high, a, hi, "LESS_THAN_OR_EQUAL")
        x, l, h = self._tmp(), self._tmp(), self._tmp()
        test = "(%s <= %s <= %s)" % (l, x, h)
        if e.negated:
            test = "(not %s)" % test
        return Compiled("(None if (%s:=%s) is None or (%s:=%s) is None or (%s:=%s) is None else %s)"
                        % (x, a1.code, l, lo.code, h, hi.code, test), T.BOOLEAN)

    def _between_bound(self, e: ast.Between, bound, a: Compiled, b: Compiled, opname: str):
        """ksqlDB types BETWEEN only when it evaluates it as `x >= low AND x <= high`, so a bad
        bound is reported as that comparison, as an invalid expression."""
        try:
            return self.comparable(e, e.operand, bound, a, b, opname)
        except KsqlStatementError as err:
            if err.message.startswith("Cannot compare"):
                err.message = "Invalid expression: " + err.message
                err.args = (err._format(),)
            raise

    def _user_list(self, nodes) -> tuple[Optional[SqlType], list[str]]:
        """The common type of a user-written list (IN, ARRAY[...], MAP(...)) and each item's
        code converted to it; (None, codes as they are) if every item is NULL."""
        compiled = [self._c(n) for n in nodes]
        users = coercion.UserList(self._c, self._const)
        common = users.common_type([(n, None if c.type.base == "NULL" else c.type)
                                    for n, c in zip(nodes, compiled)])
        if common is None:
            return None, [c.code for c in compiled]
        return common, [users.convert(n, c, common) for n, c in zip(nodes, compiled)]

    def _c_InList(self, e: ast.InList) -> Compiled:
        """Operand and items take their common type first (ksqlDB), then compare by value."""
        _, codes = self._user_list((e.operand,) + tuple(e.items))
        operand, items = codes[0], codes[1:]
        if not items:
            return Compiled("(None if (%s) is None else %s)" % (operand, "True" if e.negated else "False"),
                            T.BOOLEAN)
        x, f = self._tmp(), self._tmp()
        lst = "(" + ", ".join(items) + ",)"
        if e.negated:
            code = ("(None if (%s:=%s) is None else (False if %s in (%s:=%s) else "
                    "(None if None in %s else True)))" % (x, operand, x, f, lst, f))
        else:
            code = ("(None if (%s:=%s) is None else (True if %s in (%s:=%s) else "
                    "(None if None in %s else False)))" % (x, operand, x, f, lst, f))
        return Compiled(code, T.BOOLEAN)

    def _c_Case(self, e: ast.Case) -> Compiled:
        results = [self._c(r) for _, r in e.whens]
        default = self._c(e.default) if e.default is not None else Compiled("None", T.NULL)
        rt = T.common_type([r.type for r in results] + [default.type])
        if rt is None:
            raise _err(e, "Invalid Case expression. Type for all 'THEN' clauses should be the same."
                       "\nTHEN expression '%s' has type: %s." % (
                           format_expression(e.whens[-1][1]), results[-1].type))
        if rt.base == "NULL":
            raise _err(e, "Invalid Case expression. All case branches have NULL type")
        code = self.convert(default, rt, e).code
        operand = self._c(e.operand) if e.operand is not None else None
        for (cond, _), res in reversed(list(zip(e.whens, results))):
            if operand is not None:
                c = self._c(cond)
                op, c = self.comparable(e, e.operand, cond, operand, c, "EQUAL")
                test = "(%s) == (%s)" % (op.code, c.code)
            else:
                c = self._c(cond)
                if c.type.base not in ("BOOLEAN", "NULL"):
                    raise _err(cond, "WHEN operand type should be boolean. Type for '%s' is %s"
                               % (format_expression(cond), c.type))
                test = "(%s) is True" % c.code
            code = "(%s if %s else %s)" % (self.convert(res, rt, e).code, test, code)
            code = self._outline(Compiled(code, rt)).code   # 200 WHENs nest 200 deep
        return Compiled(code, rt)

    def resolve_type(self, t: SqlType, node) -> SqlType:
        if t.base == "NAMED":
            if t.name not in self.custom_types:
                raise _err(node, "Can't find type %s" % t.name)
            return self.custom_types[t.name]
        return t

    def _c_Cast(self, e: ast.Cast) -> Compiled:
        a = self._c(e.operand)
        dst = self.resolve_type(e.type, e)
        try:
            casts.converter(a.type, dst, True)
        except KsqlStatementError:
            raise _err(e, "Cast of %s to %s is not supported" % (a.type, dst))
        c = self.convert(a, dst, e, explicit=True)
        # a failed conversion (bad number text, overflow) yields NULL for this record
        if c.code == a.code:
            return Compiled(c.code, dst)
        params = "".join(", " + py for py, _ in self.scope.lambda_vars.values())
        f = self._bind(_guarded(eval("lambda r%s: %s" % (params, c.code), self.ns)))
        return Compiled("%s(r%s)" % (f, params), dst)

    def _c_ArrayConstructor(self, e: ast.ArrayConstructor) -> Compiled:
        if not e.items:
            return Compiled("[]", T.array(T.NULL))
        et, codes = self._user_list(e.items)
        if et is None:
            raise _err(e, "Cannot construct an array with all NULL elements "
                          "(see https://github.com/confluentinc/ksql/issues/4239). As a "
                          "workaround, you may cast a NULL value to the desired type.")
        return Compiled("[%s]" % ", ".join(codes), T.array(et))

    def _c_MapConstructor(self, e: ast.MapConstructor) -> Compiled:
        """Keys and values each take their common type; a NULL key is kept, as in ksqlDB."""
        kt, keys = self._user_list([k for k, _ in e.entries])
        vt, vals = self._user_list([v for _, v in e.entries])
        if kt is None:
            raise _err(e, "Cannot construct a map with all NULL keys")
        if vt is None:
            raise _err(e, "Cannot construct a map with all NULL values")
        body = ", ".join("%s: %s" % kv for kv in zip(keys, vals))
        return Compiled("{%s}" % body, T.map_of(kt, vt))

    def _c_StructConstructor(self, e: ast.StructConstructor) -> Compiled:
        names = [n for n, _ in e.fields]
        if len(set(names)) != len(names):
            raise _err(e, "Duplicate field names found in STRUCT")
        parts = [(n, self._c(v)) for n, v in e.fields]
        code = "{%s}" % ", ".join("%r: %s" % (n, c.code) for n, c in parts)
        return Compiled(code, T.struct([(n, c.type if c.type.base != "NULL" else T.STRING)
                                        for n, c in parts]))

    def _c_Lambda(self, e: ast.Lambda) -> Compiled:
        raise _err(e, "Lambda expressions are only allowed as arguments of lambda functions "
                      "(TRANSFORM, FILTER, REDUCE)")

    def _compile_lambda(self, e: ast.Lambda, param_types: list[SqlType]) -> Compiled:
        if len(param_types) != len(e.params):
            raise _err(e, "Was expecting %d arguments to lambda function, got %d"
                       % (len(param_types), len(e.params)))
        saved = dict(self.scope.lambda_vars)
        pynames = []
        for name, t in zip(e.params, param_types):
            py = "_l%d" % next(self._ids)
            pynames.append(py)
            self.scope.lambda_vars[name] = (py, t)
        try:
            body = self._c(e.body)
        finally:
            self.scope.lambda_vars = saved
        return Compiled("(lambda %s: %s)" % (", ".join(pynames), body.code),
                        T.lambda_of(param_types, body.type))

    def _c_FunctionCall(self, e: ast.FunctionCall) -> Compiled:
        if e.name == "AS_VALUE" and len(e.args) == 1:
            return self._c(e.args[0])
        kind = self.registry.kind(e.name)
        if kind == "aggregate":
            raise _err(e, "Aggregate functions can not be used here: %s" % e.name)
        if kind == "table":
            raise _err(e, "Table functions can only be used in the SELECT clause: %s" % e.name)
        lambda_idx = [i for i, a in enumerate(e.args) if isinstance(a, ast.Lambda)]
        args: list[Optional[Compiled]] = [None if isinstance(a, ast.Lambda) else self._c(a)
                                          for a in e.args]
        for i in lambda_idx:
            partial = [a.type if a is not None else None for a in args]
            try:
                ptypes = self.registry.lambda_param_types(e.name, partial, i)
            except KsqlError as err:
                raise err.with_position(e.pos.line or None, e.pos.column or None)
            args[i] = self._compile_lambda(e.args[i], ptypes)
        try:
            resolved = self.registry.resolve_scalar(e.name, [a.type for a in args])
        except KsqlError as err:
            raise err.with_position(e.pos.line or None, e.pos.column or None)
        codes = []
        for a, pt, node in zip(args, resolved.param_types, e.args):
            if pt is None or a.type.base == "LAMBDA":
                codes.append(a.code)
            else:
                codes.append(self.convert(a, pt, node).code)
        f = self._bind(_guarded_fn(resolved.fn))
        return Compiled("%s(%s)" % (f, ", ".join(codes)), resolved.return_type)


def _guarded(fn):
    def call(*args):          # the row, then the lambda parameters in scope
        try:
            return fn(*args)
        except RecordError:
            raise
        except Exception:  # noqa: BLE001 - a bad value gives NULL, the query goes on
            return None
    return call


def _guarded_fn(fn):
    def call(*args):
        try:
            return fn(*args)
        except RecordError:
            raise                 # a regex timeout skips the whole record (runtime.guard)
        except Exception:  # noqa: BLE001 - ksqlDB: a UDF error gives NULL, the query goes on
            return None
    call.__wrapped__ = fn
    return call
