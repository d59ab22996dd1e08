"""How Java prints a double (``Double.toString``), which is how ksqlDB writes DOUBLE as text.

One implementation for every layer: the serializers, CAST(... AS STRING), string functions
and error messages all print doubles this way.
"""

from __future__ import annotations

import math


def java_double_str(d: float) -> str:
    """``Double.toString(d)``: plain between 1e-3 and 1e7, else ``d.dddE[-]n``."""
    if d != d:
        return "NaN"
    if d in (math.inf, -math.inf):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "-0.0" if math.copysign(1.0, d) < 0 else "0.0"
    a = abs(d)
    if 1e-3 <= a < 1e7:
        return repr(d)          # Python's repr is plain here, with the same shortest digits
    digits, e10 = _shortest_digits(repr(a))
    mant = digits[0] + "." + (digits[1:] or "0")
    return ("-" if d < 0 else "") + mant + "E" + str(e10)


def _shortest_digits(r: str) -> tuple[str, int]:
    """The significant digits of a positive float's repr and its decimal exponent."""
    if "e" in r:
        mant, exp = r.split("e")
        digits = mant.replace(".", "")
        e10 = int(exp)
    else:
        whole, frac = r.split(".")
        if whole != "0":
            digits, e10 = whole + frac, len(whole) - 1
        else:
            stripped = frac.lstrip("0")
            digits, e10 = stripped, -(len(frac) - len(stripped)) - 1
    return digits.rstrip("0") or "0", e10
