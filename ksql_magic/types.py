"""SQL types of the ksqlDB dialect and the Python values that carry them.

Value representation (shared by every layer; fixed so functions, serde and operators agree):

=========  ==============================================
SQL type   Python value
=========  ==============================================
BOOLEAN    bool
INTEGER    int (32-bit range)
BIGINT     int (64-bit range)
DOUBLE     float
DECIMAL    decimal.Decimal, quantized to the type's scale
STRING     str
BYTES      bytes
TIMESTAMP  int, milliseconds since the epoch (UTC)
DATE       int, days since the epoch
TIME       int, milliseconds since midnight
ARRAY      list
MAP        dict
STRUCT     dict field name -> value, in declared field order
NULL       None (any type)
=========  ==============================================

Why ints for the temporal types: records arrive and leave as epoch numbers, windows and
ROWTIME are millisecond arithmetic, and the static type (known at compile time) says how to
print them; a datetime round trip per record would cost more than the query itself.
"""

from __future__ import annotations

from typing import Optional

from dataclasses import dataclass

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


@dataclass(frozen=True)
class SqlType:
    """A SQL type. ``base`` is the upper-case type name; the other fields qualify it."""

    base: str
    precision: int | None = None          # DECIMAL
    scale: int | None = None              # DECIMAL
    element: "SqlType | None" = None      # ARRAY
    key: "SqlType | None" = None          # MAP
    value: "SqlType | None" = None        # MAP
    fields: tuple[tuple[str, "SqlType"], ...] = ()   # STRUCT, in declared order
    params: tuple["SqlType", ...] = ()    # LAMBDA parameter types
    returns: "SqlType | None" = None      # LAMBDA return type
    name: str | None = None               # NAMED: a CREATE TYPE alias, resolved by the analyzer

    def __str__(self) -> str:
        b = self.base
        if b == "DECIMAL":
            return "DECIMAL(%d, %d)" % (self.precision, self.scale)
        if b == "ARRAY":
            return "ARRAY<%s>" % self.element
        if b == "MAP":
            return "MAP<%s, %s>" % (self.key, self.value)
        if b == "STRUCT":
            return "STRUCT<%s>" % ", ".join("`%s` %s" % (n, t) for n, t in self.fields)
        if b == "NAMED":
            return self.name
        if b == "LAMBDA":
            return "LAMBDA<(%s) => %s>" % (", ".join(map(str, self.params)), self.returns)
        return b

    # -- classification -------------------------------------------------------------------
    @property
    def is_numeric(self) -> bool:
        return self.base in NUMERIC_BASES

    @property
    def is_integral(self) -> bool:
        return self.base in ("INTEGER", "BIGINT")

    @property
    def is_temporal(self) -> bool:
        return self.base in ("TIMESTAMP", "DATE", "TIME")

    @property
    def is_complex(self) -> bool:
        return self.base in ("ARRAY", "MAP", "STRUCT")

    def field_type(self, name: str) -> "SqlType | None":
        """The type of a STRUCT field, matched exactly first, then case-insensitively."""
        for n, t in self.fields:
            if n == name:
                return t
        for n, t in self.fields:
            if n.upper() == name.upper():
                return t
        return None


NUMERIC_BASES = ("INTEGER", "BIGINT", "DECIMAL", "DOUBLE")

BOOLEAN = SqlType("BOOLEAN")
INTEGER = SqlType("INTEGER")
BIGINT = SqlType("BIGINT")
DOUBLE = SqlType("DOUBLE")
STRING = SqlType("STRING")
BYTES = SqlType("BYTES")
TIMESTAMP = SqlType("TIMESTAMP")
DATE = SqlType("DATE")
TIME = SqlType("TIME")
# The type of a bare NULL literal before context gives it one.
NULL = SqlType("NULL")


def decimal_problem(precision: int, scale: int) -> Optional[str]:
    """SqlDecimal.validateParameters, in ksqlDB's words."""
    if precision < 1:
        return "DECIMAL precision must be >= 1: DECIMAL(%d,%d)" % (precision, scale)
    if scale < 0:
        return "DECIMAL scale must be >= 0: DECIMAL(%d,%d)" % (precision, scale)
    if precision < scale:
        return "DECIMAL precision must be >= scale: DECIMAL(%d,%d)" % (precision, scale)
    return None


def decimal(precision: int, scale: int) -> SqlType:
    return SqlType("DECIMAL", precision=precision, scale=scale)


def array(element: SqlType) -> SqlType:
    return SqlType("ARRAY", element=element)


def map_of(key: SqlType, value: SqlType) -> SqlType:
    return SqlType("MAP", key=key, value=value)


def struct(fields) -> SqlType:
    return SqlType("STRUCT", fields=tuple((n, t) for n, t in fields))


def named(name: str) -> SqlType:
    """A reference to a type declared with CREATE TYPE (the parser knows no catalog)."""
    return SqlType("NAMED", name=name)


def lambda_of(params, returns: SqlType | None = None) -> SqlType:
    return SqlType("LAMBDA", params=tuple(params), returns=returns)


PRIMITIVES = {t.base: t for t in (BOOLEAN, INTEGER, BIGINT, DOUBLE, STRING, BYTES,
                                  TIMESTAMP, DATE, TIME)}
# Spellings the dialect accepts for the primitive types.
TYPE_ALIASES = {"INT": "INTEGER", "VARCHAR": "STRING"}

# ksqlDB's implicit widening order for numbers: INTEGER -> BIGINT -> DECIMAL -> DOUBLE.
_NUMERIC_RANK = {"INTEGER": 0, "BIGINT": 1, "DECIMAL": 2, "DOUBLE": 3}


def decimal_for_integral(t: SqlType) -> SqlType:
    """The DECIMAL an integer type widens to (ksqlDB: INT -> DECIMAL(10,0), BIGINT -> (19,0))."""
    if t.base == "INTEGER":
        return decimal(10, 0)
    if t.base == "BIGINT":
        return decimal(19, 0)
    return t


def can_widen(src: SqlType, dst: SqlType) -> bool:
    """True if a value of ``src`` may be used where ``dst`` is expected without a CAST."""
    if src == dst or src.base == "NULL":
        return True
    if src.base in _NUMERIC_RANK and dst.base in _NUMERIC_RANK:
        if _NUMERIC_RANK[src.base] > _NUMERIC_RANK[dst.base]:
            return False
        if dst.base == "DECIMAL" and src.base != "DECIMAL":
            d = decimal_for_integral(src)
            return d.precision - d.scale <= dst.precision - dst.scale
        if dst.base == "DECIMAL" and src.base == "DECIMAL":
            return (src.precision - src.scale <= dst.precision - dst.scale
                    and src.scale <= dst.scale)
        return True
    if src.base == dst.base == "ARRAY":
        return can_widen(src.element, dst.element)
    if src.base == dst.base == "MAP":
        return can_widen(src.key, dst.key) and can_widen(src.value, dst.value)
    if src.base == dst.base == "STRUCT":
        if len(src.fields) != len(dst.fields):
            return False
        return all(a[0] == b[0] and can_widen(a[1], b[1]) for a, b in zip(src.fields, dst.fields))
    return False


def common_numeric(a: SqlType, b: SqlType) -> SqlType:
    """The type both operands of arithmetic widen to."""
    if a.base == "NULL":
        return b
    if b.base == "NULL":
        return a
    ra, rb = _NUMERIC_RANK[a.base], _NUMERIC_RANK[b.base]
    if max(ra, rb) == 3:
        return DOUBLE
    if max(ra, rb) == 2:
        da, db = decimal_for_integral(a), decimal_for_integral(b)
        scale = max(da.scale, db.scale)
        whole = max(da.precision - da.scale, db.precision - db.scale)
        return decimal(min(38, whole + scale), scale)
    return a if ra >= rb else b


def common_type(types) -> SqlType | None:
    """The one type a list of types widens to (CASE branches, IN lists, array elements)."""
    result = NULL
    for t in types:
        if t is None or t.base == "NULL":
            continue
        if result.base == "NULL":
            result = t
        elif can_widen(result, t):
            result = t
        elif can_widen(t, result):
            continue
        elif result.is_numeric and t.is_numeric:
            result = common_numeric(result, t)
        else:
            return None
    return result


# -- values as users see them --------------------------------------------------------------
# The engine carries temporal values as epoch numbers (above); what a user reads is what
# ksqlDB's REST API and CLI show: ISO-8601 text. ``shown_value`` is that one conversion, for
# query rows and HTML tables; ``python_value`` gives datetime / date / time objects for
# DataFrames. Both recurse into ARRAY, MAP and STRUCT, where temporal values print the same.

def _convert(value, t: "SqlType | None", leaf):
    if value is None or t is None:
        return value
    if t.base in ("TIMESTAMP", "DATE", "TIME"):
        return leaf(value, t.base) if isinstance(value, int) and not isinstance(value, bool) else value
    if t.base == "ARRAY" and isinstance(value, list) and t.element is not None:
        return [_convert(v, t.element, leaf) for v in value]
    if t.base == "MAP" and isinstance(value, dict) and t.value is not None:
        return {k: _convert(v, t.value, leaf) for k, v in value.items()}
    if t.base == "STRUCT" and isinstance(value, dict) and t.fields:
        types = dict(t.fields)
        return {k: _convert(v, types.get(k), leaf) for k, v in value.items()}
    return value


def _iso_text(value: int, base: str) -> str:
    from . import temporal
    return {"TIMESTAMP": temporal.format_timestamp, "DATE": temporal.format_date,
            "TIME": temporal.format_time}[base](value)


def _python_temporal(value: int, base: str):
    import datetime as _dt
    if base == "TIMESTAMP":
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=value)
    if base == "DATE":
        return _dt.date(1970, 1, 1) + _dt.timedelta(days=value)
    return (_dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=value)).time()


def shown_value(value, t: "SqlType | None"):
    """A value as ksqlDB shows it in query results: TIMESTAMP ``2021-03-04T05:06:07.089``,
    DATE ``2021-03-04``, TIME ``05:06:07``; every other value unchanged."""
    return _convert(value, t, _iso_text)


def python_value(value, t: "SqlType | None"):
    """A value as a Python object for pandas: TIMESTAMP a naive UTC ``datetime``, DATE a
    ``date``, TIME a ``time``; every other value unchanged."""
    return _convert(value, t, _python_temporal)


def shown_row(row: list, types: list) -> list:
    """``shown_value`` over a row, column by column (types in the row's column order)."""
    if not any(_has_temporal(t) for t in types):
        return row
    return [shown_value(v, t) for v, t in zip(row, types)]


def _has_temporal(t: "SqlType | None") -> bool:
    if t is None:
        return False
    if t.base in ("TIMESTAMP", "DATE", "TIME"):
        return True
    inner = [t.element, t.key, t.value] + [ft for _, ft in (t.fields or ())]
    return any(_has_temporal(x) for x in inner if x is not None)
