"""Mathematical scalar functions (ksqlDB category MATHEMATICAL).

Numbers follow Java: DOUBLE results are IEEE floats with NaN/Infinity instead of errors
(``LN(0)`` is -Infinity, ``SQRT(-1)`` NaN), INT/BIGINT ABS wraps at the minimum, ROUND is
HALF_UP, and DECIMAL results keep ksqlDB's precision and scale.
"""

from __future__ import annotations

import math as _m
import random as _random
from decimal import (ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP,
                     Context, Decimal)

from .. import types as t
from ..errors import KsqlRuntimeError
from .registry import scalar

M = "MATHEMATICAL"
NAN, INF = float("nan"), float("inf")
CTX = Context(prec=100)


def _wrap32(v: int) -> int:
    return (v + 2 ** 31) % 2 ** 32 - 2 ** 31


def _wrap64(v: int) -> int:
    return (v + 2 ** 63) % 2 ** 64 - 2 ** 63


# -- ABS / SIGN ---------------------------------------------------------------------------
@scalar("ABS", ["INTEGER x"], "INTEGER", M, "The absolute value of a number.")
def abs_int(x):
    return None if x is None else _wrap32(abs(x))


@scalar("ABS", ["BIGINT x"], "BIGINT", M)
def abs_long(x):
    return None if x is None else _wrap64(abs(x))


@scalar("ABS", ["DOUBLE x"], "DOUBLE", M)
@scalar("ABS", ["DECIMAL x"], lambda ts: ts[0], M)
def abs_num(x):
    return None if x is None else abs(x)


@scalar("SIGN", ["INTEGER x"], "INTEGER", M, "The sign of a number: -1, 0 or 1.")
@scalar("SIGN", ["BIGINT x"], "INTEGER", M)
@scalar("SIGN", ["DOUBLE x"], "INTEGER", M)
@scalar("SIGN", ["DECIMAL x"], "INTEGER", M)
def sign(x):
    if x is None or x != x:
        return None if x is None else 0
    return (x > 0) - (x < 0)


# -- CEIL / FLOOR / ROUND / TRUNC ---------------------------------------------------------
def _dec_whole(ts):
    p = ts[0]
    return t.decimal(max(p.precision - p.scale, 1), 0)


def _dec_to_int(mode):
    def make(arg_types, ret):
        def fn(x):
            if x is None:
                return None
            return x.quantize(Decimal(1), rounding=_mode(mode, x), context=CTX)
        return fn
    return make


def _identity(x):
    return x


@scalar("CEIL", ["INTEGER x"], "INTEGER", M, "The smallest integer not below the value.")
@scalar("CEIL", ["BIGINT x"], "BIGINT", M)
@scalar("FLOOR", ["INTEGER x"], "INTEGER", M, "The largest integer not above the value.")
@scalar("FLOOR", ["BIGINT x"], "BIGINT", M)
@scalar("TRUNC", ["INTEGER x"], "INTEGER", M, "Truncates toward zero.")
@scalar("TRUNC", ["BIGINT x"], "BIGINT", M)
@scalar("ROUND", ["INTEGER x"], "INTEGER", M, "Rounds half up.")
@scalar("ROUND", ["BIGINT x"], "BIGINT", M)
def integral_identity(x):
    return x


@scalar("CEIL", ["DOUBLE x"], "DOUBLE", M)
def ceil_double(x):
    return None if x is None else float(_m.ceil(x)) if _m.isfinite(x) else x


@scalar("FLOOR", ["DOUBLE x"], "DOUBLE", M)
def floor_double(x):
    return None if x is None else float(_m.floor(x)) if _m.isfinite(x) else x


scalar("CEIL", ["DECIMAL x"], _dec_whole, M, factory=True)(_dec_to_int(ROUND_CEILING))
scalar("FLOOR", ["DECIMAL x"], _dec_whole, M, factory=True)(_dec_to_int(ROUND_FLOOR))
scalar("ROUND", ["DECIMAL x"], _dec_whole, M, factory=True)(_dec_to_int(ROUND_HALF_UP))
scalar("TRUNC", ["DECIMAL x"], _dec_whole, M, factory=True)(_dec_to_int(ROUND_DOWN))


@scalar("ROUND", ["DOUBLE x"], "BIGINT", M)
def round_double(x):
    if x is None:
        return None
    if x != x:
        return 0
    if _m.isinf(x):
        return t.INT64_MAX if x > 0 else t.INT64_MIN
    return int(_m.floor(x + 0.5))


@scalar("TRUNC", ["DOUBLE x"], "BIGINT", M)
def trunc_double(x):
    if x is None:
        return None
    return int(x) if _m.isfinite(x) else 0


def _mode(mode, x):
    # ksqlDB rounds half toward positive infinity (like Math.round): HALF_DOWN below zero.
    return ROUND_HALF_DOWN if mode == ROUND_HALF_UP and x < 0 else mode


def _double_scaled(mode):
    def fn(x, n):
        if x is None or n is None:
            return None
        if not _m.isfinite(x):
            return x
        d = Decimal(repr(x)).quantize(Decimal(1).scaleb(-n), rounding=_mode(mode, x),
                                      context=CTX)
        return float(d)
    return fn


scalar("ROUND", ["DOUBLE x", "INTEGER scale"], "DOUBLE", M)(_double_scaled(ROUND_HALF_UP))
scalar("TRUNC", ["DOUBLE x", "INTEGER scale"], "DOUBLE", M)(_double_scaled(ROUND_DOWN))


def _dec_scaled(mode):
    def make(arg_types, ret):
        exp = Decimal(1).scaleb(-ret.scale)

        def fn(x, n):
            if x is None or n is None:
                return None
            r = x.quantize(Decimal(1).scaleb(-n), rounding=_mode(mode, x), context=CTX)
            return r.quantize(exp, context=CTX)
        return fn
    return make


scalar("ROUND", ["DECIMAL x", "INTEGER scale"], lambda ts: ts[0], M,
       factory=True)(_dec_scaled(ROUND_HALF_UP))
scalar("TRUNC", ["DECIMAL x", "INTEGER scale"], lambda ts: ts[0], M,
       factory=True)(_dec_scaled(ROUND_DOWN))


# -- DOUBLE functions ---------------------------------------------------------------------
def _unary(name, desc, f):
    def fn(x):
        return None if x is None else f(float(x))
    fn.__name__ = name.lower()
    scalar(name, ["DOUBLE x"], "DOUBLE", M, desc)(fn)


def _safe(f, domain=lambda x: True, outside=NAN):
    def g(x):
        if x != x:
            return NAN
        if not domain(x):
            return outside
        try:
            return f(x)
        except OverflowError:
            return INF
        except ValueError:
            return NAN
    return g


def _ln(x):
    if x != x or x < 0:
        return NAN
    if x == 0:
        return -INF
    return _m.log(x) if x != INF else INF


def _cbrt(x):
    if not _m.isfinite(x):
        return x
    r = abs(x) ** (1.0 / 3.0)
    rr = round(r)
    if rr ** 3 == abs(x):
        r = float(rr)
    return _m.copysign(r, x)


def _cot(x):
    tan = _m.tan(x)
    return INF if tan == 0 else 1.0 / tan


for _name, _desc, _f in [
    ("SQRT", "The square root.", _safe(_m.sqrt, lambda x: x >= 0)),
    ("CBRT", "The cube root.", _cbrt),
    ("EXP", "e raised to the value.", _safe(_m.exp)),
    ("LN", "The natural logarithm.", _ln),
    ("SIN", "The sine.", _safe(_m.sin, _m.isfinite)),
    ("COS", "The cosine.", _safe(_m.cos, _m.isfinite)),
    ("TAN", "The tangent.", _safe(_m.tan, _m.isfinite)),
    ("COT", "The cotangent.", _safe(_cot, _m.isfinite)),
    ("ASIN", "The arcsine.", _safe(_m.asin, lambda x: -1 <= x <= 1)),
    ("ACOS", "The arccosine.", _safe(_m.acos, lambda x: -1 <= x <= 1)),
    ("ATAN", "The arctangent.", _safe(_m.atan)),
    ("SINH", "The hyperbolic sine.", _safe(_m.sinh)),
    ("COSH", "The hyperbolic cosine.", _safe(_m.cosh)),
    ("TANH", "The hyperbolic tangent.", _safe(_m.tanh)),
    ("DEGREES", "Converts radians to degrees.", _m.degrees),
    ("RADIANS", "Converts degrees to radians.", _m.radians),
]:
    _unary(_name, _desc, _f)


@scalar("LOG", ["DOUBLE value"], "DOUBLE", M,
        "The natural logarithm, or the logarithm to a given base.")
def log(x):
    return None if x is None else _ln(float(x))


@scalar("LOG", ["DOUBLE base", "DOUBLE value"], "DOUBLE", M)
def log_base(b, x):
    if b is None or x is None:
        return None
    num, den = _ln(float(x)), _ln(float(b))
    if b <= 0 or x < 0 or b == 1:
        return NAN
    try:
        return num / den
    except ZeroDivisionError:
        return NAN


@scalar("ATAN2", ["DOUBLE y", "DOUBLE x"], "DOUBLE", M, "The angle of the point (x, y).")
def atan2(y, x):
    return None if y is None or x is None else _m.atan2(y, x)


def java_pow(a: float, b: float) -> float:
    """Math.pow: NaN/Infinity instead of Python's exceptions and complex results."""
    try:
        r = _m.pow(a, b)
    except OverflowError:
        return -INF if a < 0 and b == int(b) and int(b) % 2 else INF
    except (ValueError, ZeroDivisionError):
        if a == 0 and b < 0:
            odd = b == int(b) and int(b) % 2 == 1
            return -INF if odd and _m.copysign(1, a) < 0 else INF
        return NAN
    return r


@scalar("POWER", ["DOUBLE base", "DOUBLE exponent"], "DOUBLE", M, "base raised to exponent.")
def power(a, b):
    return None if a is None or b is None else java_pow(float(a), float(b))


@scalar("PI", [], "DOUBLE", M, "The constant pi.")
def pi():
    return _m.pi


@scalar("RANDOM", [], "DOUBLE", M, "A random DOUBLE in [0, 1).")
def random():
    return _random.random()


_RADIUS = {"KM": 6371.0, "KILOMETERS": 6371.0, "KILOMETER": 6371.0,
           "MI": 3959.0, "MILES": 3959.0, "MILE": 3959.0}


@scalar("GEO_DISTANCE", ["DOUBLE lat1", "DOUBLE lon1", "DOUBLE lat2", "DOUBLE lon2"], "DOUBLE",
        M, "Great-circle distance between two points, in km (or 'MI').")
def geo_distance(lat1, lon1, lat2, lon2):
    return geo_distance_unit(lat1, lon1, lat2, lon2, "KM")


@scalar("GEO_DISTANCE", ["DOUBLE lat1", "DOUBLE lon1", "DOUBLE lat2", "DOUBLE lon2",
                         "STRING units"], "DOUBLE", M)
def geo_distance_unit(lat1, lon1, lat2, lon2, unit):
    if None in (lat1, lon1, lat2, lon2):
        return None
    if unit is None:
        unit = "KM"
    radius = _RADIUS.get(unit.strip().upper())
    if radius is None:
        raise KsqlRuntimeError("GeoDistance function units parameter must be one of "
                               "KM or MI. Got: %s" % unit)
    p1, p2 = _m.radians(lat1), _m.radians(lat2)
    dlat, dlon = _m.radians(lat2 - lat1), _m.radians(lon2 - lon1)
    a = _m.sin(dlat / 2) ** 2 + _m.sin(dlon / 2) ** 2 * _m.cos(p1) * _m.cos(p2)
    return 2 * _m.asin(_m.sqrt(a)) * radius
