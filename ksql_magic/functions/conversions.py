"""Value-to-text conversions shared by functions that print values the way Java does.

Why: ARRAY_JOIN, JSON output and string concatenation of numbers must match ksqlDB byte for
byte, and Java prints doubles (``1.0E10``, ``0.0``) and booleans (``true``) unlike Python.
"""

from __future__ import annotations

from decimal import Decimal

from ..javatext import java_double_str


java_double = java_double_str


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
