"""Value-to-text conversions shared by functions that print values the way Java does.

Why: ARRAY_JOIN, JSON output and string concatenation of numbers must match ksqlDB byte for
byte, and Java prints doubles (``1.0E10``, ``0.0``) and booleans (``true``) unlike Python.
"""

from __future__ import annotations

import math
from decimal import Decimal


def java_double(d: float) -> str:
    """Double.toString: plain between 1e-3 and 1e7, otherwise ``d.dddE±n``."""
    if d != d:
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "-0.0" if math.copysign(1, d) < 0 else "0.0"
    a = abs(d)
    if 1e-3 <= a < 1e7:
        r = repr(d)
        if "e" in r or "E" in r:
            r = format(d, "f")
        return r if "." in r else r + ".0"
    mant, exp = ("%r" % d).lower().split("e") if "e" in repr(d) else (None, None)
    if mant is None:
        digits = repr(d)
        sign = "-" if d < 0 else ""
        digits = digits.lstrip("-").replace(".", "").rstrip("0") or "0"
        exp_n = len(repr(a).split(".")[0]) - 1
        mant = sign + digits[0] + "." + (digits[1:] or "0")
        return "%sE%d" % (mant, exp_n)
    if "." not in mant:
        mant += ".0"
    return "%sE%d" % (mant, int(exp))


def java_str(v) -> str:
    """String.valueOf for any SQL value (None -> 'null')."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, list):
        return "[" + ", ".join(java_str(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join("%s=%s" % (java_str(k), java_str(x)) for k, x in v.items()) + "}"
    return str(v)
