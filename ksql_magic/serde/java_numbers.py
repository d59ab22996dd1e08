"""Java's number <-> text rules, as ksqlDB's serializers apply them.

Owns: ``Double.toString`` (shortest round-trip digits in Java's layout), the strict parsers
``Integer.parseInt`` / ``Long.parseLong`` / ``Double.parseDouble`` / ``new BigDecimal(String)``,
two's-complement wrapping (``intValue()`` of a too-large JSON number), and
``DecimalUtil.ensureFit`` (a DECIMAL value brought to its column's scale, never rounded).
Why here and not in the formats: JSON, DELIMITED and KAFKA all print and parse the same way.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation

from ..javatext import java_double_str  # noqa: F401 - re-exported for the formats

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_DEC_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_DOUBLE_RE = re.compile(
    r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?)\Z")
_HEX_DOUBLE_RE = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*\.?[0-9a-fA-F]*)[pP]([+-]?[0-9]+)[fFdD]?\Z")
# DECIMAL goes to precision 38; the default context (28 digits) would round.
_CTX = Context(prec=200)


def wrap(v: int, bits: int) -> int:
    """Two's-complement truncation (Java's ``(int)`` / ``(long)`` narrowing)."""
    m = 1 << bits
    v &= m - 1
    return v - m if v >= (m >> 1) else v


def parse_int(s: str, bits: int = 32) -> int:
    """``Integer.parseInt`` (bits=32) / ``Long.parseLong`` (bits=64); ValueError as Java's."""
    if not _INT_RE.match(s):
        raise ValueError('For input string: "%s"' % s)
    v = int(s)
    if not -(1 << (bits - 1)) <= v < (1 << (bits - 1)):
        raise ValueError('For input string: "%s"' % s)
    return v


def parse_double(s: str) -> float:
    """``Double.parseDouble``: trims, accepts NaN/Infinity, a d/f suffix and hex floats."""
    t = s.strip(" \t\n\r\x0b\x0c\x00")
    if _DOUBLE_RE.match(t):
        return float(t[:-1] if t[-1] in "fFdD" else t)
    m = _HEX_DOUBLE_RE.match(t)
    if m and m.group(2) not in ("", "."):
        return float.fromhex("%s0x%sp%s" % (m.group(1), m.group(2), m.group(3)))
    raise ValueError('For input string: "%s"' % s if s.strip() else "empty String")


def parse_boolean(s: str) -> bool:
    """``Boolean.parseBoolean``: true only for 'true' in any case, everything else false."""
    return s.lower() == "true"


def parse_decimal(s: str) -> Decimal:
    """``new BigDecimal(String)``: no spaces, no NaN/Infinity."""
    if not _DEC_RE.match(s):
        raise ValueError("Character array is missing \"exponent\" mark 'e' or 'E'."
                         if s else "Index 0 out of bounds for length 0")
    return Decimal(s)


def ensure_fit(value: Decimal, precision: int, scale: int) -> Decimal:
    """``DecimalUtil.ensureFit``: set the scale without rounding; reject overflow."""
    digits = precision - scale
    if abs(value) >= Decimal(10) ** digits:
        raise ValueError(
            "Numeric field overflow: A field with precision %d and scale %d must round to an "
            "absolute value less than 10^%d. Got %s" % (precision, scale, digits, plain(value)))
    try:
        fitted = value.quantize(Decimal(1).scaleb(-scale), context=_CTX)
    except InvalidOperation:
        fitted = None
    if fitted is None or fitted != value:
        vscale = -value.as_tuple().exponent
        vprec = len(value.as_tuple().digits)
        raise ValueError(
            "Cannot fit decimal '%s' into DECIMAL(%d, %d) without rounding. (Requires %d,%d)"
            % (plain(value), precision, scale, max(vprec, scale), vscale))
    return fitted


def plain(d: Decimal) -> str:
    """``BigDecimal.toPlainString``."""
    return format(d, "f")


def bigdecimal_str(d: Decimal) -> str:
    """``BigDecimal.toString`` (the same scientific-notation rule as Python's ``str``)."""
    return str(d)
