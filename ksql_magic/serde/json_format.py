"""The JSON format: ksqlDB's ``KsqlJsonDeserializer`` coercions and Jackson's output.

Reading: the JSON is parsed once (``json_codec``: orjson when available; the stdlib parser
with exact ``Decimal`` numbers when a value's digits matter), then one coercer per column,
built from the schema when the serde is made, applies ksqlDB's rules: numbers from numeric strings, ints into DOUBLE, a
JSON number truncated and wrapped into INTEGER/BIGINT, anything into STRING, DECIMAL fitted
to its scale, base64 text into BYTES, STRUCT fields matched exactly and then upper-cased.
Failures carry ksqlDB's message and JSON path (``..., path: $.V``).

Writing: compact JSON in column order; DOUBLE as ``Double.toString`` (1.0E7), DECIMAL as
``BigDecimal.toString`` with its scale, BYTES as base64, temporal types as epoch numbers.
A single value column with WRAP_SINGLE_VALUE=false, and a single key column, are written
bare (ksqlDB never wraps a single key column).
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal

from ..types import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, SqlType, struct
from . import java_numbers as jn
from .base import Failure, Serde
from .json_codec import DecodeError, EncodeError, Fragment as _Fragment, dumps as _dumps
from .json_codec import loads as _loads

_MISSING = object()


class _Coerce(Exception):
    """A value does not fit its column's type; ``path`` grows as the error unwinds."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path

    def under(self, part: str) -> "_Coerce":
        self.path = part + self.path
        return self


class _NeedExact(Exception):
    """A float reached a place where its original digits matter: re-read with Decimals."""


# -- Jackson node names, for "sourceType" in ksqlDB's conversion errors ----------------------
def _node_name(v) -> str:
    if v is True or v is False:
        return "BooleanNode"
    if isinstance(v, int):
        if INT32_MIN <= v <= INT32_MAX:
            return "IntNode"
        return "LongNode" if INT64_MIN <= v <= INT64_MAX else "BigIntegerNode"
    return _NODE_NAMES.get(type(v), type(v).__name__)


_NODE_NAMES = {float: "DecimalNode", Decimal: "DecimalNode", str: "TextNode",
               list: "ArrayNode", dict: "ObjectNode"}


def _cannot_convert(v, t: SqlType) -> _Coerce:
    return _Coerce("Can't convert type. sourceType: %s, requiredType: %s" % (_node_name(v), t))


def _cannot_coerce_string(t: SqlType) -> _Coerce:
    return _Coerce("Can't coerce string to type. targetType: %s" % t.base)


# -- coercers: JSON value -> SQL value (never called with None) -------------------------------
def _integral(t: SqlType, bits: int, check=None):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def slow(v):
        if v is True or v is False:
            raise _cannot_convert(v, t)
        if type(v) is int:
            return jn.wrap(v, bits)
        if type(v) is float:
            raise _NeedExact()
        if type(v) is Decimal:
            return jn.wrap(int(v), bits)
        if type(v) is str:
            try:
                return jn.parse_int(v, bits)
            except ValueError:
                raise _cannot_coerce_string(t) from None
        raise _cannot_convert(v, t)

    if check is None:
        def co(v):
            if type(v) is int and lo <= v <= hi:
                return v
            return slow(v)
    else:
        def co(v):
            return check(v if type(v) is int and lo <= v <= hi else slow(v))
    return co


def _time_of_day(ms: int) -> int:
    if 0 <= ms <= 86400000:
        return ms
    raise _Coerce("Time values must use number of milliseconds greater than 0 and less than "
                  "86400000.")


def _co_boolean(t):
    def co(v):
        if v is True or v is False:
            return v
        raise _cannot_convert(v, t)
    return co


def _co_double(t):
    def slow(v):
        if v is True or v is False:
            raise _cannot_convert(v, t)
        if isinstance(v, (int, Decimal)):
            try:
                return float(v)
            except OverflowError:
                return float("inf") if v > 0 else float("-inf")
        if type(v) is str:
            try:
                return jn.parse_double(v)
            except ValueError:
                raise _cannot_coerce_string(t) from None
        raise _cannot_convert(v, t)

    def co(v):
        return v if type(v) is float else slow(v)
    return co


def _co_string(t):
    def slow(v):
        if v is True:
            return "true"
        if v is False:
            return "false"
        if type(v) is int:
            return str(v)
        if type(v) is float:
            raise _NeedExact()
        if type(v) is Decimal:
            return jn.bigdecimal_str(v)
        if type(v) is dict:
            return _java_json(v)
        if type(v) is list:
            return "[" + ", ".join("null" if x is None else co(x) for x in v) + "]"
        raise _cannot_convert(v, t)

    def co(v):
        return v if type(v) is str else slow(v)
    return co


def _co_decimal(t):
    precision, scale = t.precision, t.scale

    def fit(d: Decimal) -> Decimal:
        try:
            return jn.ensure_fit(d, precision, scale)
        except ValueError as e:
            raise _Coerce(str(e)) from None

    def co(v):
        if v is True or v is False:
            raise _cannot_convert(v, t)
        if type(v) is Decimal:
            return fit(v)
        if type(v) is int:
            return fit(Decimal(v))
        if type(v) is float:
            raise _NeedExact()
        if type(v) is str:
            try:
                return fit(jn.parse_decimal(v))
            except ValueError as e:
                raise _Coerce(str(e)) from None
        raise _cannot_convert(v, t)
    return co


def _co_bytes(t):
    def co(v):
        if type(v) is not str:
            raise _cannot_convert(v, t)
        try:
            return base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise _Coerce("Value is not a valid Base64 encoded string: " + v) from None
    return co


def _co_array(t):
    elem = coercer(t.element)

    def co(v):
        if type(v) is not list:
            raise _cannot_convert(v, t)
        try:
            return [None if x is None else elem(x) for x in v]
        except _Coerce as e:
            raise _at_index(v, elem, e)
    return co


def _at_index(v: list, elem, err: _Coerce) -> _Coerce:
    """Find the failing element again (error path only) to report its index."""
    for i, x in enumerate(v):
        if x is None:
            continue
        try:
            elem(x)
        except _Coerce as e:
            return e.under("[%d]" % i)
    return err


def _co_map(t):
    val = coercer(t.value)

    def co(v):
        if type(v) is not dict:
            raise _cannot_convert(v, t)
        out = {}
        for k, x in v.items():
            try:
                out[k] = None if x is None else val(x)
            except _Coerce as e:
                raise e.under(".%s.value" % k)
        return out
    return co


def _co_struct(t):
    getter = _field_getter(tuple((n, coercer(ft)) for n, ft in t.fields), t)

    def co(v):
        return dict(zip(names, getter(v)))
    names = tuple(n for n, _ in t.fields)
    return co


def _field_getter(fields, t):
    """JSON object -> list of coerced field values, ksqlDB's name matching (exact, then the
    object's keys upper-cased)."""
    def get(obj):
        if type(obj) is not dict:
            raise _cannot_convert(obj, t)
        out = []
        upper = None
        for name, co in fields:
            v = obj.get(name, _MISSING)
            if v is _MISSING:
                if upper is None:
                    upper = {k.upper(): x for k, x in obj.items()}
                v = upper.get(name)
            if v is not None:
                try:
                    v = co(v)
                except _Coerce as e:
                    raise e.under("." + name)
            out.append(v)
        return out
    return get


_COERCERS = {
    "BOOLEAN": _co_boolean,
    "INTEGER": lambda t: _integral(t, 32),
    "BIGINT": lambda t: _integral(t, 64),
    "TIMESTAMP": lambda t: _integral(t, 64),
    "DATE": lambda t: _integral(t, 32),
    "TIME": lambda t: _integral(t, 32, _time_of_day),
    "DOUBLE": _co_double,
    "STRING": _co_string,
    "DECIMAL": _co_decimal,
    "BYTES": _co_bytes,
    "ARRAY": _co_array,
    "MAP": _co_map,
    "STRUCT": _co_struct,
}


def coercer(t: SqlType):
    """The function reading a (non-null) JSON value as type ``t``."""
    try:
        return _COERCERS[t.base](t)
    except KeyError:
        raise ValueError("JSON cannot read type %s" % t) from None


def _java_json(obj) -> str:
    """Jackson's compact text of an object read into STRING (exact numbers needed)."""
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if type(obj) is float:
        raise _NeedExact()
    if isinstance(obj, (int, Decimal)):
        return str(obj)
    if type(obj) is str:
        return json.dumps(obj, ensure_ascii=False)
    if type(obj) is list:
        return "[" + ",".join(_java_json(x) for x in obj) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _java_json(x)
                          for k, x in obj.items()) + "}"


# -- encoders: SQL value -> something orjson writes as Jackson would (None = as is) ----------
def _enc_double(v):
    if 1e-3 <= abs(v) < 1e7 or v == 0:
        return v        # orjson prints these exactly as Double.toString does
    return _Fragment(_double_text(v))


def _double_text(v) -> str:
    s = jn.java_double_str(float(v))
    # Jackson's default QUOTE_NON_NUMERIC_NUMBERS writes NaN/Infinity as strings.
    return '"%s"' % s if s[-1] in "Ny" else s


def _enc_decimal(v):
    return _Fragment(jn.bigdecimal_str(v) if type(v) is Decimal else _double_text(v))


def _enc_bytes(v):
    return base64.b64encode(v).decode("ascii")


def _enc_array(t):
    e = encoder(t.element)
    if e is None:
        return None
    return lambda v: [None if x is None else e(x) for x in v]


def _enc_map(t):
    """A NULL key (MAP(NULL := ...) keeps one) is written "null", as Jackson writes it."""
    e = encoder(t.value)
    if e is None:
        return lambda v: {_map_key(k): x for k, x in v.items()} if None in v else v
    return lambda v: {_map_key(k): None if x is None else e(x) for k, x in v.items()}


def _map_key(k):
    return "null" if k is None else k


def _enc_struct(t):
    fields = tuple((n, encoder(ft)) for n, ft in t.fields)

    def enc(v):
        out = {}
        for n, e in fields:
            x = v.get(n)
            out[n] = x if x is None or e is None else e(x)
        return out
    return enc


_ENCODERS = {
    "DOUBLE": lambda t: _enc_double,
    "DECIMAL": lambda t: _enc_decimal,
    "BYTES": lambda t: _enc_bytes,
    "ARRAY": _enc_array,
    "MAP": _enc_map,
    "STRUCT": _enc_struct,
}


def encoder(t: SqlType):
    """The function preparing a non-null value of ``t`` for orjson, or None if none needed."""
    make = _ENCODERS.get(t.base)
    return make(t) if make else None


# -- the serde --------------------------------------------------------------------------------
def _flag(v) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() == "true"


def is_wrapped(columns, is_key: bool, properties: dict) -> bool:
    """Whether the row is a JSON object (else the single column's bare value)."""
    if len(columns) != 1:
        return True
    if is_key:
        return False
    for name in ("WRAP_SINGLE_VALUE", "ksql.persistence.wrap.single.values"):
        flag = _flag(properties.get(name))
        if flag is not None:
            return flag
    return True


def _parse_exact(data: bytes):
    """The stdlib parser with exact numbers; like Jackson, trailing content is ignored."""
    text = bytes(data).decode("utf-8")
    dec = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)
    s = text.lstrip(" \t\n\r")
    if not s:
        raise ValueError("No content to map due to end-of-input")
    return dec.raw_decode(s)[0]


def _no_constant(name):
    raise ValueError("Non-standard token '%s': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS "
                     "to allow" % name)


def make(columns, is_key: bool, properties: dict, fail: Failure) -> Serde:
    wrapped = is_wrapped(columns, is_key, properties)
    return Serde("JSON", is_key, _deserializer(columns, wrapped, fail),
                 _serializer(columns, wrapped, fail))


def _row_reader(columns, wrapped: bool):
    if wrapped:
        return _compiled_row_reader(columns)
    co = coercer(columns[0][1])
    return lambda obj: [co(obj)]


# Per base type, the test (on ``v``) that a parsed JSON value is already the column's
# Python value; anything else goes through the column's full coercer.
_NOT_READY = {
    "BOOLEAN": "v{i} is not True and v{i} is not False",
    "INTEGER": "type(v{i}) is not int or not -2147483648 <= v{i} <= 2147483647",
    "DATE": "type(v{i}) is not int or not -2147483648 <= v{i} <= 2147483647",
    "BIGINT": "type(v{i}) is not int or not -9223372036854775808 <= v{i} <= 9223372036854775807",
    "TIMESTAMP": "type(v{i}) is not int or not -9223372036854775808 <= v{i} <= "
                 "9223372036854775807",
    "DOUBLE": "type(v{i}) is not float",
    "STRING": "type(v{i}) is not str",
}


def _compiled_row_reader(columns):
    """The hot path: one generated function per value schema, the common case (field present
    under its exact name, already of the right type) inline; everything else (missing,
    null, needs coercion, case-insensitive match) in a per-column fallback."""
    row_type = struct(columns)
    names = {}
    lines = ["def read(obj):",
             "    if type(obj) is not dict:",
             "        raise _cannot_convert(obj, row_type)",
             "    g = obj.get"]
    for i, (name, t) in enumerate(columns):
        names["fix%d" % i] = _fallback(name, coercer(t))
        test = _NOT_READY.get(t.base, "True").format(i=i)
        lines.append("    v%d = g(%r, _MISSING)" % (i, name))
        if name.lower() != name:      # lower-case field names are common: try them before the slow path
            lines.append("    if v%d is _MISSING:" % i)
            lines.append("        v%d = g(%r, _MISSING)" % (i, name.lower()))
        lines.append("    if %s:" % test)
        lines.append("        v%d = fix%d(v%d, obj)" % (i, i, i))
    lines.append("    return [%s]" % ", ".join("v%d" % i for i in range(len(columns))))
    namespace = dict(names, _MISSING=_MISSING, _cannot_convert=_cannot_convert,
                     row_type=row_type)
    exec("\n".join(lines), namespace)       # noqa: S102 - names are repr()-quoted literals
    return namespace["read"]


def _fallback(name: str, co):
    def fix(v, obj):
        if v is _MISSING:
            v = {k.upper(): x for k, x in obj.items()}.get(name)
        if v is None:
            return None
        try:
            return co(v)
        except _Coerce as e:
            raise e.under("." + name)
    return fix


def _deserializer(columns, wrapped: bool, fail: Failure):
    read = _row_reader(columns, wrapped)

    def deserialize(data):
        if data is None:
            return None
        try:
            try:
                obj = _loads(data)
            except DecodeError:
                obj = _parse_exact(data)
            if obj is None:
                return None
            try:
                return read(obj)
            except _NeedExact:
                return read(_parse_exact(data))
        except _Coerce as e:
            raise fail.read("%s, path: $%s" % (e.message, e.path)) from None
        except (ValueError, UnicodeDecodeError) as e:
            raise fail.read(str(e)) from None
    return deserialize


def _serializer(columns, wrapped: bool, fail: Failure):
    if not wrapped:
        enc = encoder(columns[0][1])

        def serialize(values):
            if values is None or values[0] is None:
                return None
            v = values[0]
            return _dump(enc(v) if enc else v, fail)
        return serialize

    names = tuple(n for n, _ in columns)
    convs = tuple((n, e) for (n, t) in columns if (e := encoder(t)) is not None)

    def serialize(values):
        if values is None:
            return None
        row = dict(zip(names, values))
        for n, e in convs:
            v = row[n]
            if v is not None:
                row[n] = e(v)
        return _dump(row, fail)
    return serialize


def _dump(obj, fail: Failure) -> bytes:
    try:
        return _dumps(obj)
    except EncodeError as e:
        raise fail.write(str(e)) from None
