"""CAST and implicit conversion between SQL types, as ksqlDB defines them.

Each conversion is a plain function value -> value built once per (source, target) pair,
so the generated query code calls it without dispatching on types per record.
"""

from __future__ import annotations

import decimal as _dec
from decimal import Decimal
from typing import Callable

from .. import temporal
from ..javatext import java_double_str
from ..serde import java_numbers
from ..errors import KsqlStatementError
from ..types import SqlType, INT32_MAX, INT32_MIN

_CTX = _dec.Context(prec=60, rounding=_dec.ROUND_HALF_UP)


def _wrap32(v: int) -> int:
    return ((v + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def _wrap64(v: int) -> int:
    return ((v + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000


def _saturate(bits: int):
    """Java's (int) / (long) cast of a double: NaN is 0, out-of-range values (infinities
    included) clamp to the type's bounds, everything else truncates toward zero."""
    hi = (1 << (bits - 1)) - 1
    lo = -hi - 1

    def conv(v: float) -> int:
        if v != v:
            return 0
        if v >= hi:
            return hi
        if v <= lo:
            return lo
        return int(v)
    return conv


def quantize(value: Decimal, t: SqlType) -> Decimal | None:
    """Round a Decimal to the type's scale; None if it no longer fits the precision."""
    q = value.quantize(Decimal(1).scaleb(-t.scale), rounding=_dec.ROUND_HALF_UP, context=_CTX)
    if len(q.as_tuple().digits) > t.precision and q != 0:
        return None
    return q


def _decimal_to_str(d: Decimal) -> str:
    return format(d, "f")


def _str_to_bool(s: str) -> bool:
    return s.strip().lower() in ("true", "t", "yes", "y")


def _parse_int(bits: int):
    """Integer.parseInt / Long.parseLong of the trimmed text: digits only, within range,
    else ValueError (the CAST gives NULL for that record, as ksqlDB's does)."""
    return lambda s: java_numbers.parse_int(s.strip(), bits)


def _big_decimal(text: str) -> Decimal:
    """``new BigDecimal(text)``: finite numbers only (Python's Decimal also reads NaN and
    Infinity, which Java refuses, so CAST('NaN' AS DECIMAL) is NULL)."""
    return java_numbers.parse_decimal(text.strip())


def _to_decimal_from(t: SqlType, src: SqlType) -> Callable:
    if src.base == "DOUBLE":
        return lambda v: quantize(Decimal(repr(v)), t) if v == v and abs(v) != float("inf") else None
    if src.base == "STRING":
        return lambda v: quantize(_big_decimal(v), t)
    return lambda v: quantize(Decimal(v), t)


def converter(src: SqlType, dst: SqlType, explicit: bool = True) -> Callable | None:
    """A function converting a non-null value of ``src`` to ``dst``; None means identity.
    Raises KsqlStatementError if the cast is not allowed."""
    if src == dst or src.base == "NULL":
        return None
    sb, db = src.base, dst.base
    fn = _SIMPLE.get((sb, db))
    if fn is not None:
        return fn
    if db == "DECIMAL" and sb in ("INTEGER", "BIGINT", "DOUBLE", "STRING", "DECIMAL"):
        return _to_decimal_from(dst, src)
    if sb == "DECIMAL":
        if db == "DOUBLE":
            return float
        if db == "INTEGER":
            return lambda v: _wrap32(int(v))
        if db == "BIGINT":
            return lambda v: _wrap64(int(v))
        if db == "STRING":
            return _decimal_to_str
    if db == "STRING" and explicit:
        if sb == "DOUBLE":
            return java_double_str
        if sb in ("ARRAY", "MAP", "STRUCT"):
            return lambda v: _complex_to_str(v, src)
    if sb == db == "ARRAY":
        inner = converter(src.element, dst.element, explicit)
        if inner is None:
            return None
        return lambda v: [None if x is None else inner(x) for x in v]
    if sb == db == "MAP":
        kc = converter(src.key, dst.key, explicit) or (lambda x: x)
        vc = converter(src.value, dst.value, explicit) or (lambda x: x)
        return lambda v: {(None if k is None else kc(k)): (None if x is None else vc(x))
                          for k, x in v.items()}
    if sb == db == "STRUCT":
        convs = []
        for name, t in dst.fields:
            st = src.field_type(name)
            convs.append((name, converter(st, t, explicit) if st is not None else None, st is not None))
        return lambda v: {n: (None if not present or v.get(n) is None else (c(v.get(n)) if c else v.get(n)))
                          for n, c, present in convs}
    raise KsqlStatementError("Cast of %s to %s is not supported" % (src, dst))


def _complex_to_str(v, t: SqlType) -> str:
    """Java's toString of ksqlDB's complex values: [a, b], {k=v, ...}, Struct{F=v,...}."""
    if v is None:
        return "null"
    if t.base == "ARRAY":
        return "[" + ", ".join(_complex_to_str(x, t.element) for x in v) + "]"
    if t.base == "MAP":
        return "{" + ", ".join("%s=%s" % (_complex_to_str(k, t.key), _complex_to_str(x, t.value))
                               for k, x in v.items()) + "}"
    if t.base == "STRUCT":
        parts = ["%s=%s" % (n, _complex_to_str(v.get(n), ft)) for n, ft in t.fields if v.get(n) is not None]
        return "Struct{" + ",".join(parts) + "}"
    if isinstance(v, Decimal):
        return _decimal_to_str(v)
    if t.base == "DOUBLE":
        return java_double_str(v)
    if t.base == "BOOLEAN":
        return "true" if v else "false"
    return str(v)


def _date_from_ts(v: int) -> int:
    return v // 86_400_000


def _time_from_ts(v: int) -> int:
    return v % 86_400_000


def _check_int32(v: int) -> int:
    return _wrap32(v)


_SIMPLE: dict[tuple[str, str], Callable] = {
    ("INTEGER", "BIGINT"): int,
    ("INTEGER", "DOUBLE"): float,
    ("BIGINT", "DOUBLE"): float,
    ("BIGINT", "INTEGER"): _check_int32,
    ("DOUBLE", "INTEGER"): _saturate(32),
    ("DOUBLE", "BIGINT"): _saturate(64),
    ("INTEGER", "STRING"): str,
    ("BIGINT", "STRING"): str,
    ("BOOLEAN", "STRING"): lambda v: "true" if v else "false",
    ("STRING", "BOOLEAN"): _str_to_bool,
    ("STRING", "INTEGER"): _parse_int(32),
    ("STRING", "BIGINT"): _parse_int(64),
    ("STRING", "DOUBLE"): java_numbers.parse_double,
    ("STRING", "TIMESTAMP"): temporal.parse_timestamp,
    ("STRING", "DATE"): temporal.parse_date,
    ("STRING", "TIME"): temporal.parse_time,
    ("TIMESTAMP", "STRING"): temporal.format_timestamp,
    ("DATE", "STRING"): temporal.format_date,
    ("TIME", "STRING"): temporal.format_time,
    ("TIMESTAMP", "DATE"): _date_from_ts,
    ("TIMESTAMP", "TIME"): _time_from_ts,
    ("DATE", "TIMESTAMP"): lambda v: v * 86_400_000,
    ("STRING", "STRING"): lambda v: v,
    ("BYTES", "BYTES"): lambda v: v,
}

assert INT32_MIN < 0 < INT32_MAX
