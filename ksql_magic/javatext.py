"""How Java prints a double (``Double.toString``), which is how ksqlDB writes DOUBLE as text.

One implementation for every layer: the serializers, CAST(... AS STRING), string functions
and error messages all print doubles this way.
"""

from __future__ import annotations

import math
from fractions import Fraction

_MIN_NORMAL = 2.2250738585072014e-308


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
    if len(digits) == 1 and a < _MIN_NORMAL:   # a normal double is within 1e-16 of d.0
        digits, e10 = _two_digits(a, digits, e10)
    mant = digits[0] + "." + (digits[1:] or "0")
    return ("-" if d < 0 else "") + mant + "E" + str(e10)


def _two_digits(a: float, digit: str, e10: int) -> tuple[str, int]:
    """Java's rule when the shortest round-tripping decimal has one digit: print the 2-digit
    decimal that still reads back as ``a`` and is closest to its exact binary value (ties to
    an even last digit). Only a few subnormals tell the difference: ``Double.MIN_VALUE``
    (exactly 4.94...E-324) prints as 4.9E-324, not 5.0E-324."""
    exact = Fraction(a)
    candidates = [(int(digit) * 10, e10 - 1)]          # d.0, which always reads back as a
    for top in (e10 - 1, e10):                         # the exact value's own exponent
        near = math.floor(exact / Fraction(10) ** (top - 1))
        candidates += [(n, top - 1) for n in (near, near + 1) if 10 <= n <= 99]
    n, scale = min((c for c in candidates if float("%de%d" % c) == a),
                   key=lambda c: (abs(c[0] * Fraction(10) ** c[1] - exact), c[0] % 2))
    return str(n), scale + 1


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
