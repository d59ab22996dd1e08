"""The common type of a user-written list: ``x IN (...)``, ``ARRAY[...]`` and ``MAP(...)``.

ksqlDB (CoercionUtil) walks the list left to right keeping the widest type so far:
numbers widen (INTEGER -> BIGINT -> DECIMAL -> DOUBLE), a STRUCT constructor adds its fields
to the STRUCT so far, ARRAY / MAP constructors unify their elements with the element type so
far, and NULL literals take whatever type the others have. Literals coerce leniently (a string
literal may be read as a number or a boolean, any literal as a string); other expressions
only widen. Each item is then converted to the common type: a literal once, at compile time,
anything else by a CAST per record.

Two errors, with ksqlDB's words: a string literal that is no number / boolean ("invalid input
syntax for type ..."), and an item of an unrelated type ("operator does not exist: ..."). The
latter, raised inside a constructor, is reported for the constructor as a whole.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from .. import types as T
from ..errors import KsqlStatementError
from ..sql import ast
from ..sql.format import format_expression
from ..types import SqlType
from . import casts


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_RANK = {"INTEGER": 0, "BIGINT": 1, "DECIMAL": 2, "DOUBLE": 3}
_TO_STRING_LAX = ("BOOLEAN", "INTEGER", "BIGINT", "DECIMAL", "DOUBLE", "TIMESTAMP", "TIME", "DATE")
_FROM_STRING_LAX = ("BOOLEAN", "INTEGER", "BIGINT", "DECIMAL", "DOUBLE")
_FROM_STRING_STRICT = ("TIMESTAMP", "TIME", "DATE", "BYTES")


class CoercionError(KsqlStatementError):
    """A list item that cannot take the list's common type. A WHERE / HAVING clause reports
    it as ksqlDB does, prefixed "Invalid Predicate: "."""


class _Mismatch(CoercionError):
    """An item of an unrelated type; an enclosing constructor re-reports it as its own."""


def _at(node: ast.Node, cls, msg: str) -> CoercionError:
    return cls(msg, node.pos.line or None, node.pos.column or None)


def _mismatch(node: ast.Node, source: SqlType, target: SqlType) -> CoercionError:
    return _at(node, _Mismatch, "operator does not exist: %s = %s (%s)\nHint: You might need to "
               "add explicit type casts." % (target, source, format_expression(node)))


def _bad_syntax(node: ast.Node, text: str, target: SqlType) -> CoercionError:
    return _at(node, CoercionError, 'invalid input syntax for type %s: "%s".' % (target.base, text))


def parse_boolean(text: str) -> Optional[bool]:
    """A string literal read as BOOLEAN: any prefix of true / false / yes / no, any case."""
    word = text.strip().lower()
    if not word or not any(w.startswith(word) for w in ("true", "false", "yes", "no")):
        return None
    return word[0] in "ty"


def _decimal_of(value: Decimal) -> SqlType:
    """The DECIMAL type that holds ``value`` exactly (ksqlDB's DecimalUtil.fromValue)."""
    sign, digits, exponent = value.as_tuple()
    scale = max(-exponent, 0)
    if abs(value) < 1:
        return T.decimal(scale + 1, scale)
    return T.decimal(len(digits) + max(exponent, 0), scale)


def _string_number_type(text: str) -> Optional[SqlType]:
    """The numeric type of a number written as a string literal, None if it is no number."""
    s = text.strip()
    if not _NUMBER.fullmatch(s):
        return None
    value = Decimal(s)
    if not any(c in s for c in ".eE"):
        n = int(value)
        if T.INT32_MIN < n < T.INT32_MAX:
            return T.INTEGER
        if T.INT64_MIN < n < T.INT64_MAX:
            return T.BIGINT
    return _decimal_of(value)


def can_coerce(src: SqlType, dst: SqlType, lax: bool) -> Optional[SqlType]:
    """The type values of ``src`` and ``dst`` share when ``src`` converts to ``dst``, or None.
    ``lax`` (literals) also lets strings and booleans / numbers convert both ways."""
    sb, db = src.base, dst.base
    if sb in _RANK and db in _RANK:
        if _RANK[sb] > _RANK[db]:
            return None
        return T.common_numeric(src, dst) if db == "DECIMAL" else dst
    if sb == db:
        return _can_coerce_nested(src, dst, lax)
    if sb == "STRING" and (db in _FROM_STRING_STRICT or lax and db in _FROM_STRING_LAX):
        return dst
    if lax and db == "STRING" and sb in _TO_STRING_LAX:
        return dst
    return None


def _can_coerce_nested(src: SqlType, dst: SqlType, lax: bool) -> Optional[SqlType]:
    if src.base == "ARRAY":
        e = can_coerce(src.element, dst.element, lax)
        return T.array(e) if e is not None else None
    if src.base == "MAP":
        k = can_coerce(src.key, dst.key, lax)
        v = can_coerce(src.value, dst.value, lax)
        return T.map_of(k, v) if k is not None and v is not None else None
    if src.base == "STRUCT":
        fields = []
        for name in _union_names(src.fields, dst.fields):
            s, d = _exact_field(src, name), _exact_field(dst, name)
            t = s if d is None else d if s is None else can_coerce(s, d, lax)
            if t is None:
                return None
            fields.append((name, t))
        return T.struct(fields)
    return dst


def _union_names(first, second) -> list[str]:
    return list(dict.fromkeys([n for n, _ in first] + [n for n, _ in second]))


def _exact_field(t: SqlType, name: str) -> Optional[SqlType]:
    """A STRUCT field by its exact name: field names are case sensitive here."""
    return next((ft for n, ft in t.fields if n == name), None)


class UserList:
    """Finds a list's common type and converts its compiled items to it.

    ``compile_fn`` turns an expression into a ``Compiled`` (code, type): nested constructor
    elements are compiled only to learn their types. ``const_fn`` names a constant for the
    generated code."""

    def __init__(self, compile_fn, const_fn):
        self._compile = compile_fn
        self._const = const_fn

    def _type(self, node: ast.Expr) -> Optional[SqlType]:
        t = self._compile(node).type
        return None if t.base == "NULL" else t

    # -- the common type ---------------------------------------------------------------------
    def common_type(self, typed) -> Optional[SqlType]:
        """``typed``: (node, type or None for NULL) pairs. None if every item is NULL."""
        result = None
        for node, t in typed:
            result = self._widen(node, t, result)
        return result

    def _widen(self, node, t: Optional[SqlType], common: Optional[SqlType]) -> Optional[SqlType]:
        if common is None:
            return t
        if t is None:
            return common
        if isinstance(node, ast.ArrayConstructor):
            return self._array(node, t, common)
        if isinstance(node, ast.MapConstructor):
            return self._map(node, t, common)
        if isinstance(node, ast.StructConstructor):
            return self._struct(node, t, common)
        if isinstance(node, ast.Literal) and isinstance(node.value, str):
            if common.is_numeric:
                return self._number_from_string(node, common)
            if common.base == "BOOLEAN":
                if parse_boolean(node.value) is None:
                    raise _bad_syntax(node, node.value, common)
                return common
        lax = isinstance(node, ast.Literal)
        found = can_coerce(t, common, lax) or can_coerce(common, t, lax)
        if found is None:
            raise _mismatch(node, t, common)
        return found

    def _elements(self, target: SqlType, nodes) -> SqlType:
        """The type ``target`` elements and ``nodes`` share."""
        typed = [(ast.Literal(None, T.NULL), target)] + [(n, self._type(n)) for n in nodes]
        return self.common_type(typed)

    def _array(self, node, t, common):
        if common.base != "ARRAY":
            raise _mismatch(node, t, common)
        try:
            return T.array(self._elements(common.element, node.items))
        except _Mismatch:
            raise _mismatch(node, t, common) from None

    def _map(self, node, t, common):
        if common.base != "MAP":
            raise _mismatch(node, t, common)
        try:
            return T.map_of(self._elements(common.key, [k for k, _ in node.entries]),
                            self._elements(common.value, [v for _, v in node.entries]))
        except _Mismatch:
            raise _mismatch(node, t, common) from None

    def _struct(self, node, t, common):
        if common.base != "STRUCT":
            raise _mismatch(node, t, common)
        values = dict(node.fields)
        fields = []
        try:
            for name in _union_names(node.fields, common.fields):
                target = _exact_field(common, name)
                source = self._type(values[name]) if name in values else None
                if source is None:
                    ft = target or T.STRING     # a NULL-valued new field: as STRUCT(...) types it
                elif target is None:
                    ft = source
                else:
                    ft = self._widen(values[name], source, target)
                fields.append((name, ft))
        except _Mismatch:
            raise _mismatch(node, t, common) from None
        return T.struct(fields)

    @staticmethod
    def _number_from_string(node, common: SqlType) -> SqlType:
        source = _string_number_type(node.value)
        if source is None:
            raise _bad_syntax(node, node.value, common)
        if "DOUBLE" in (source.base, common.base):
            return T.DOUBLE
        if "DECIMAL" in (source.base, common.base):
            return T.common_numeric(source, common)
        return common if _RANK[source.base] <= _RANK[common.base] else source

    # -- conversion --------------------------------------------------------------------------
    def convert(self, node, compiled, common: SqlType) -> str:
        """The code of ``compiled`` as a value of ``common``: a literal converted now, any
        other expression per record."""
        if compiled.type.base == "NULL":
            return compiled.code
        if isinstance(node, ast.Literal) and compiled.type != common:
            return self._const(self._literal(node, common))
        fn = _converter(compiled.type, common)
        if fn is None:
            return compiled.code
        return "%s(%s)" % (self._const(_null_on_error(fn)), compiled.code)

    @staticmethod
    def _literal(node: ast.Literal, common: SqlType):
        if node.type.base == "STRING" and common.base == "BOOLEAN":
            value = parse_boolean(node.value)
        else:
            try:
                value = casts.converter(node.type, common, True)(node.value)
            except Exception:  # noqa: BLE001 - a literal that does not fit the type
                value = None
        if value is None:
            raise _bad_syntax(node, node.value, common)
        return value


def _converter(src: SqlType, dst: SqlType):
    """A CAST from ``src`` to ``dst`` matching STRUCT fields by exact name; None: identity."""
    if src == dst or src.base == "NULL":
        return None
    if src.base == dst.base == "STRUCT":
        convs = [(n, _exact_field(src, n) is not None,
                  _converter(_exact_field(src, n), t) if _exact_field(src, n) else None)
                 for n, t in dst.fields]
        return lambda v: {n: _apply(c, v.get(n)) if present else None for n, present, c in convs}
    if src.base == dst.base == "ARRAY":
        c = _converter(src.element, dst.element)
        return None if c is None else (lambda v: [_apply(c, x) for x in v])
    if src.base == dst.base == "MAP":
        kc, vc = _converter(src.key, dst.key), _converter(src.value, dst.value)
        return lambda v: {_apply(kc, k): _apply(vc, x) for k, x in v.items()}
    return casts.converter(src, dst, True)


def _apply(conv, value):
    return value if conv is None or value is None else conv(value)


def _null_on_error(fn):
    """NULL stays NULL, and a value the CAST cannot convert becomes NULL (as ksqlDB's CAST)."""
    def call(v):
        if v is None:
            return None
        try:
            return fn(v)
        except Exception:  # noqa: BLE001 - a bad value gives NULL, the query goes on
            return None
    return call
