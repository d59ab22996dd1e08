"""Expressions, literals and types of the ksqlDB dialect (tokens -> ast.Expr / SqlType).

Precedence, loosest first, as in ksqlDB's grammar: OR, AND, NOT, one predicate
(comparison, IS [NOT] NULL, IS [NOT] DISTINCT FROM, [NOT] LIKE/BETWEEN/IN), then the value
operators || < + - < * / % < unary - + < postfix (``->field``, ``[index]``). A predicate
does not chain: ``a = b = c`` is a syntax error, as in ksqlDB.
"""

from __future__ import annotations

import math
from decimal import Decimal

from .. import types
from ..errors import KsqlStatementError, KsqlSyntaxError
from . import ast
from .lexer import DECIMAL, FLOAT, INTEGER, OP, STRING, WORD, Token
from .parser_core import ParserCore

# Canonical (plural) name of each time-unit keyword, and its length in milliseconds.
TIME_UNITS = {
    "MILLISECOND": "MILLISECONDS", "MILLISECONDS": "MILLISECONDS",
    "SECOND": "SECONDS", "SECONDS": "SECONDS",
    "MINUTE": "MINUTES", "MINUTES": "MINUTES",
    "HOUR": "HOURS", "HOURS": "HOURS",
    "DAY": "DAYS", "DAYS": "DAYS",
}
UNIT_MS = {"MILLISECONDS": 1, "SECONDS": 1000, "MINUTES": 60_000, "HOURS": 3_600_000,
           "DAYS": 86_400_000}

COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")
# Binary value operators by binding strength (higher binds tighter).
VALUE_OPS = {"||": 1, "+": 2, "-": 2, "*": 3, "/": 3, "%": 3}
UNARY_STRENGTH = 4


def _decimal_type(d: Decimal) -> types.SqlType:
    """ksqlDB's type of a decimal literal: digits and digits after the point, where a value
    inside (-1, 1) counts one leading zero (0.05 is DECIMAL(3,2))."""
    scale = max(0, -d.as_tuple().exponent)
    if abs(d) < 1:
        return types.decimal(scale + 1, scale)
    digits = len(d.as_tuple().digits)
    return types.decimal(max(digits, scale), scale)


class ExprParser(ParserCore):
    """Expression and type productions; statement parsers build on this."""

    # == literals =============================================================================
    def number_literal(self, negative: bool = False, start: Token | None = None) -> ast.Literal:
        """An INTEGER / DECIMAL / FLOAT token as a typed literal (sign folded in)."""
        t = self.advance()
        text = ("-" if negative else "") + t.value
        pos = self.pos(start or t)
        if t.kind == INTEGER:
            v = int(text)
            if not types.INT64_MIN <= v <= types.INT64_MAX:
                self._bad_literal("Invalid numeric literal: " + text, start or t)
            typ = types.INTEGER if types.INT32_MIN <= v <= types.INT32_MAX else types.BIGINT
            return ast.Literal(v, typ, pos=pos)
        if t.kind == DECIMAL:
            d = Decimal(text)
            return ast.Literal(d, _decimal_type(d), pos=pos)
        v = float(text)
        if math.isinf(v):
            self._bad_literal("Number overflows DOUBLE: " + text, start or t)
        return ast.Literal(v, types.DOUBLE, pos=pos)

    def _bad_literal(self, message: str, t: Token) -> None:
        """Out-of-range literals: ksqlDB reports these without the 'Syntax Error' lead."""
        raise KsqlSyntaxError(message, t.line, t.column)

    def integer(self, what: str = "INTEGER_VALUE") -> int:
        """A plain (optionally negative) integer, for LIMIT, sizes and the like."""
        start = self.tok
        neg = self.accept_op("-") is not None
        self._note(what)
        if self.tok.kind != INTEGER:
            self.fail()
        return self.number_literal(neg, start).value

    def literal_value(self):
        """A WITH-property value as a Python literal (str, int, float, bool or None)."""
        t = self.tok
        if t.kind == STRING:
            return self.advance().value
        if self.accept_word("TRUE"):
            return True
        if self.accept_word("FALSE"):
            return False
        if self.accept_word("NULL"):
            return None
        neg = self.accept_op("-") is not None
        if self.tok.kind in (INTEGER, DECIMAL, FLOAT):
            return self.number_literal(neg, t).value
        self.fail("STRING", "INTEGER_VALUE", "DECIMAL_VALUE", "BOOLEAN")

    # == types ================================================================================
    def type_(self) -> types.SqlType:
        self.enter()
        try:
            t = self._type_primary()
            while self.accept_word("ARRAY"):
                t = types.array(t)
            return t
        finally:
            self.leave()

    def _type_primary(self) -> types.SqlType:
        self._note("type")
        if not self.is_identifier():
            self.fail()
        word = self.tok.value if self.tok.kind == WORD else None
        if word in ("ARRAY", "MAP", "STRUCT") and self.is_op("<", t=self.peek()):
            return self._complex_type(self.advance().value)
        if word == "STRUCT" and self.is_op("<>", t=self.peek()):
            self.advance()
            self.advance()          # STRUCT<> lexes its brackets as one '<>' token
            return types.struct([])
        if word == "DECIMAL":
            start = self.advance()
            self.expect_op("(")
            p = self.integer()
            self.expect_op(",")
            s = self.integer()
            self.expect_op(")")
            problem = types.decimal_problem(p, s)
            if problem:
                raise KsqlStatementError(problem, start.line, start.column)
            return types.decimal(p, s)
        name = self.advance().value
        if self.accept_op("("):
            self._type_parameters()
        if word is None:
            return types.named(name)
        base = types.TYPE_ALIASES.get(name, name)
        return types.PRIMITIVES.get(base) or types.named(name)

    def _type_parameters(self) -> None:
        """``VARCHAR(…)``-style parameters: accepted like ksqlDB, then ignored."""
        while True:
            self._note("'STRING'")
            self._note("INTEGER_VALUE")
            if not (self.tok.kind == INTEGER or self.is_word("STRING")):
                self.error("Expecting {'STRING', INTEGER_VALUE}")
            self.advance()
            if not self.accept_op(","):
                break
        self.expect_op(")")

    def _complex_type(self, kind: str) -> types.SqlType:
        self.expect_op("<")
        if kind == "ARRAY":
            t = types.array(self.type_())
        elif kind == "MAP":
            k = self.type_()
            self.expect_op(",")
            t = types.map_of(k, self.type_())
        else:
            fields = []
            if not self.is_op(">"):
                while True:
                    name = self.identifier("field name")
                    fields.append((name, self.type_()))
                    if not self.accept_op(","):
                        break
            t = types.struct(fields)
        self.expect_op(">")
        return t

    # == expressions ==========================================================================
    def expression(self) -> ast.Expr:
        """A full (boolean) expression."""
        self.enter()
        try:
            return self._or()
        finally:
            self.leave()

    def _or(self) -> ast.Expr:
        left = self._and()
        while self.is_word("OR"):
            self.advance()
            left = ast.BinaryOp("OR", left, self._and(), pos=left.pos)
        return left

    def _and(self) -> ast.Expr:
        left = self._not()
        while self.is_word("AND"):
            self.advance()
            left = ast.BinaryOp("AND", left, self._not(), pos=left.pos)
        return left

    def _not(self) -> ast.Expr:
        if self.is_word("NOT"):
            t = self.advance()
            self.enter()
            try:
                return ast.UnaryOp("NOT", self._not(), pos=self.pos(t))
            finally:
                self.leave()
        return self._predicated()

    def _predicated(self) -> ast.Expr:
        value = self.value_expression()
        if self.is_op(*COMPARISONS):
            op = self.advance().value
            return ast.BinaryOp(op, value, self.value_expression(), pos=value.pos)
        if self.is_word("IS"):
            return self._is(value)
        negated = False
        if self.is_word("NOT") and self.is_word("BETWEEN", "IN", "LIKE", t=self.peek()):
            self.advance()
            negated = True
        handler = self._PREDICATES.get(self.tok.value) if self.tok.kind == WORD else None
        if handler:
            self.advance()
            return handler(self, value, negated)
        return value

    def _is(self, value: ast.Expr) -> ast.Expr:
        self.advance()
        negated = self.accept_word("NOT") is not None
        if self.accept_word("NULL"):
            return ast.IsNull(value, negated, pos=value.pos)
        self.expect_word("DISTINCT")
        self.expect_word("FROM")
        return ast.IsDistinctFrom(value, self.value_expression(), negated, pos=value.pos)

    def _between(self, value, negated):
        low = self.value_expression()
        self.expect_word("AND")
        return ast.Between(value, low, self.value_expression(), negated, pos=value.pos)

    def _in(self, value, negated):
        self.expect_op("(")
        items = [self.expression()]
        while self.accept_op(","):
            items.append(self.expression())
        self.expect_op(")")
        return ast.InList(value, tuple(items), negated, pos=value.pos)

    def _like(self, value, negated):
        pattern = self.value_expression()
        escape = None
        if self.accept_word("ESCAPE"):
            self._note("STRING")
            if self.tok.kind != STRING:
                self.fail()
            t = self.advance()
            escape = ast.Literal(t.value, types.STRING, pos=self.pos(t))
        return ast.Like(value, pattern, escape, negated, pos=value.pos)

    _PREDICATES = {"BETWEEN": _between, "IN": _in, "LIKE": _like}

    def value_expression(self, min_strength: int = 1) -> ast.Expr:
        """Arithmetic and concatenation by precedence climbing (left associative)."""
        left = self._unary()
        while self.tok.kind == OP and VALUE_OPS.get(self.tok.value, 0) >= min_strength:
            op = self.advance().value
            right = self.value_expression(VALUE_OPS[op] + 1)
            left = ast.BinaryOp(op, left, right, pos=left.pos)
        return left

    def _unary(self) -> ast.Expr:
        if self.is_op("-", "+"):
            t = self.advance()
            if t.value == "-" and self.tok.kind in (INTEGER, DECIMAL, FLOAT):
                lit = self.number_literal(True, t)
                return self._postfix(lit)
            self.enter()
            try:
                return ast.UnaryOp(t.value, self._unary(), pos=self.pos(t))
            finally:
                self.leave()
        return self._postfix(self.primary())

    def _postfix(self, base: ast.Expr) -> ast.Expr:
        while True:
            if self.is_op("["):
                self.advance()
                index = self.value_expression()
                self.expect_op("]")
                base = ast.Subscript(base, index, pos=base.pos)
            elif self.is_op("->") and not self.is_op("*", t=self.peek()):
                self.advance()
                base = ast.Dereference(base, self.identifier("field name"), pos=base.pos)
            else:
                return base

    # -- primary ------------------------------------------------------------------------------
    def primary(self) -> ast.Expr:
        t = self.tok
        if t.kind in (INTEGER, DECIMAL, FLOAT):
            return self.number_literal()
        if t.kind == STRING:
            self.advance()
            return ast.Literal(t.value, types.STRING, pos=self.pos(t))
        if t.kind == OP and t.value == "(":
            self.advance()
            inner = self.expression()
            self.expect_op(")")
            return inner
        if t.kind == WORD:
            special = self._PRIMARY_WORDS.get(t.value)
            if special:
                result = special(self)
                if result is not None:
                    return result
        if self.is_identifier():
            return self._name_expression()
        self.fail("expression")

    def _null(self):
        return ast.Literal(None, types.NULL, pos=self.pos(self.advance()))

    def _true(self):
        return ast.Literal(True, types.BOOLEAN, pos=self.pos(self.advance()))

    def _false(self):
        return ast.Literal(False, types.BOOLEAN, pos=self.pos(self.advance()))

    def _case(self):
        start = self.advance()
        operand = None
        if not self.is_word("WHEN"):
            operand = self.value_expression()
        whens = []
        while self.accept_word("WHEN"):
            cond = self.expression()
            self.expect_word("THEN")
            whens.append((cond, self.expression()))
        if not whens:
            self.fail()
        default = self.expression() if self.accept_word("ELSE") else None
        self.expect_word("END")
        return ast.Case(operand, tuple(whens), default, pos=self.pos(start))

    def _cast(self):
        start = self.advance()
        self.expect_op("(")
        operand = self.expression()
        self.expect_word("AS")
        t = self.type_()
        self.expect_op(")")
        return ast.Cast(operand, t, pos=self.pos(start))

    def _array(self):
        if not self.is_op("[", t=self.peek()):
            return None
        start = self.advance()
        self.advance()
        items = []
        if not self.is_op("]"):
            items = self._comma_list(self.expression)
        self.expect_op("]")
        return ast.ArrayConstructor(tuple(items), pos=self.pos(start))

    def _map(self):
        if not self.is_op("(", t=self.peek()):
            return None
        start = self.advance()
        self.advance()
        entries = []
        if not self.is_op(")"):
            entries = self._comma_list(self._map_entry)
        self.expect_op(")")
        return ast.MapConstructor(tuple(entries), pos=self.pos(start))

    def _map_entry(self):
        k = self.expression()
        self.expect_op(":=")
        return (k, self.expression())

    def _struct(self):
        if not self.is_op("(", t=self.peek()):
            return None
        start = self.advance()
        self.advance()
        fields = []
        if not self.is_op(")"):
            fields = self._comma_list(self._struct_field)
        self.expect_op(")")
        return ast.StructConstructor(tuple(fields), pos=self.pos(start))

    def _struct_field(self):
        name = self.identifier("field name")
        self.expect_op(":=")
        return (name, self.expression())

    _PRIMARY_WORDS = {"NULL": _null, "TRUE": _true, "FALSE": _false, "CASE": _case,
                      "CAST": _cast, "ARRAY": _array, "MAP": _map, "STRUCT": _struct}

    def _comma_list(self, item):
        out = [item()]
        while self.accept_op(","):
            out.append(item())
        return out

    def _name_expression(self) -> ast.Expr:
        """Column reference, qualified reference, function call or typed literal."""
        t = self.advance()
        pos = self.pos(t)
        if self.is_op("("):
            return self._call(t.value, pos)
        if self.tok.kind == STRING and t.kind == WORD:
            lit = self.advance()
            return ast.Cast(ast.Literal(lit.value, types.STRING, pos=self.pos(lit)),
                            self._named_type(t.value), pos=pos, typed_literal=True)
        if self.is_op(".") and self.is_identifier(self.peek()):
            self.advance()
            return ast.ColumnRef(self.advance().value, t.value, pos=pos)
        return ast.ColumnRef(t.value, pos=pos)

    @staticmethod
    def _named_type(name: str) -> types.SqlType:
        base = types.TYPE_ALIASES.get(name, name)
        return types.PRIMITIVES.get(base) or types.named(name)

    def _call(self, name: str, pos: ast.Pos) -> ast.Expr:
        self.advance()
        if self.is_op("*") and self.is_op(")", t=self.peek()):
            self.advance()
            self.advance()
            return ast.FunctionCall(name, (), star=True, pos=pos)
        distinct = self.accept_word("DISTINCT") is not None
        args = []
        if not self.at_op(")"):
            args = self._comma_list(self._argument)
        self.expect_op(")")
        return ast.FunctionCall(name, tuple(args), distinct=distinct, pos=pos)

    def _argument(self) -> ast.Expr:
        t = self.tok
        if t.kind == WORD and t.value in TIME_UNITS and self.is_op(",", ")", t=self.peek()):
            self.advance()
            return ast.TimeUnit(TIME_UNITS[t.value], pos=self.pos(t))
        params = self._lambda_params()
        if params is not None:
            self.expect_op("=>")
            return ast.Lambda(tuple(params), self.expression(), pos=self.pos(t))
        return self.expression()

    def _lambda_params(self) -> list[str] | None:
        """Lambda parameters if a lambda starts here (looked ahead, nothing consumed
        unless it is one)."""
        if self.is_identifier() and self.is_op("=>", t=self.peek()):
            return [self.advance().value]
        if not self.is_op("("):
            return None
        k, names = 1, []
        while True:
            t = self.peek(k)
            if not self.is_identifier(t):
                return None
            names.append(t.value)
            nxt = self.peek(k + 1)
            if self.is_op(")", t=nxt):
                break
            if not self.is_op(",", t=nxt):
                return None
            k += 2
        if not self.is_op("=>", t=self.peek(k + 2)):
            return None
        for _ in range(k + 2):
            self.advance()
        return names

