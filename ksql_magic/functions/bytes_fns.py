"""BYTES functions: TO_BYTES, FROM_BYTES, ENCODE (STRING) and INT/BIGINT/DOUBLE_FROM_BYTES.

Encodings are ksqlDB's four, case-insensitive: hex, utf8, ascii, base64. TO_BYTES/FROM_BYTES
follow ksqlDB's BytesUtils (hex printed in upper case, hex input of even length); ENCODE is a
separate ksqlDB function built on commons-codec, so its hex output stays lower case and it
accepts the ``0x..`` and ``X'..'`` hex spellings. Errors raise KsqlRuntimeError with ksqlDB's
text; evaluation turns them into NULL for the record, as ksqlDB does.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct

from ..errors import KsqlRuntimeError
from .registry import scalar

_UNKNOWN_ENCODING = ("Unknown encoding type '%s'. "
                     "Supported formats are 'hex', 'utf8', 'ascii', and 'base64'.")


def _ascii_text(b: bytes) -> str:
    """Java's US_ASCII decoding: every byte above 0x7F becomes U+FFFD."""
    return b.decode("ascii", errors="replace")


def _hex_bytes(s: str) -> bytes:
    """DatatypeConverter.parseHexBinary: an even number of hex digits, either case."""
    if len(s) % 2:
        raise KsqlRuntimeError("hexBinary needs to be even-length: " + s)
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise KsqlRuntimeError("contains illegal character for hexBinary: " + s) from None


def _base64_bytes(s: str) -> bytes:
    """Java's basic Base64 decoder: strict alphabet, the '=' padding optional."""
    try:
        return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except binascii.Error as e:
        raise KsqlRuntimeError("Illegal base64 input: %s" % e) from None


_TO_TEXT = {"HEX": lambda b: b.hex().upper(), "UTF8": lambda b: b.decode("utf-8", "replace"),
            "ASCII": _ascii_text, "BASE64": lambda b: base64.b64encode(b).decode("ascii")}
_FROM_TEXT = {"HEX": _hex_bytes, "UTF8": lambda s: s.encode("utf-8"),
              "ASCII": lambda s: s.encode("ascii", errors="replace"), "BASE64": _base64_bytes}


def _codec(table: dict, enc: str):
    conv = table.get(enc.upper())
    if conv is None:
        raise KsqlRuntimeError(_UNKNOWN_ENCODING % enc)
    return conv


@scalar("TO_BYTES", ["STRING str", "STRING encoding"], "BYTES", "STRING",
        "Converts a string to bytes with an encoding (hex, utf8, ascii, base64).")
def to_bytes(s, enc):
    if s is None or enc is None:
        return None
    return _codec(_FROM_TEXT, enc)(s)


@scalar("FROM_BYTES", ["BYTES bytes", "STRING encoding"], "STRING", "STRING",
        "Converts bytes to a string with an encoding (hex, utf8, ascii, base64).")
def from_bytes(b, enc):
    if b is None or enc is None:
        return None
    return _codec(_TO_TEXT, enc)(b)


def _strip_hex(s: str) -> str:
    """ENCODE's hex spellings: '0xAB7' (odd digits get a leading 0) and X'AB79' as AB79."""
    if s.startswith("0x"):
        return ("0" if len(s) % 2 else "") + s[2:]
    if len(s) >= 3 and s[0] in "xX" and s[1] == "'" and s[-1] == "'":
        return s[2:-1]
    return s


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def _encode_decode(s: str, enc: str) -> bytes:
    if enc == "hex":
        return _hex_bytes(_strip_hex(s))
    if enc == "base64":
        digits = _NOT_BASE64.sub("", s)      # commons-codec skips what is not base64
        return base64.b64decode(digits + "=" * (-len(digits) % 4))
    return _FROM_TEXT[enc.upper()](s)


def _encode_text(b: bytes, enc: str) -> str:
    return b.hex() if enc == "hex" else _TO_TEXT[enc.upper()](b)


@scalar("ENCODE", ["STRING str", "STRING inputEncoding", "STRING outputEncoding"], "STRING",
        "STRING", "Re-encodes a string from one encoding to another.")
def encode(s, in_enc, out_enc):
    if s is None or in_enc is None or out_enc is None:
        return None
    in_enc, out_enc = in_enc.lower(), out_enc.lower()
    known = ("hex", "utf8", "ascii", "base64")
    if in_enc not in known or out_enc not in known or in_enc == out_enc:
        raise KsqlRuntimeError("Supported input and output encodings are: "
                               "hex, utf8, ascii and base64")
    return _encode_text(_encode_decode(s, in_enc), out_enc)


# -- numbers from their binary form ---------------------------------------------------------

def _byte_order(order: str | None) -> str:
    """struct's prefix for ksqlDB's byte order names (case-insensitive)."""
    if order is not None and order.upper() == "BIG_ENDIAN":
        return ">"
    if order is not None and order.upper() == "LITTLE_ENDIAN":
        return "<"
    raise KsqlRuntimeError("Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. "
                           "Unknown byte order '%s'." % order)


def _unpack(code: str, value: bytes | None, order: str | None):
    """The number held in exactly struct.calcsize(code) bytes, NULL for NULL bytes."""
    prefix = _byte_order(order)
    if value is None:
        return None
    size = struct.calcsize(code)
    if len(value) != size:
        raise KsqlRuntimeError("Number of bytes must be equal to %d, but found %d"
                               % (size, len(value)))
    return struct.unpack(prefix + code, value)[0]


_CONV = "CONVERSIONS"


@scalar("INT_FROM_BYTES", ["BYTES value"], "INTEGER", _CONV,
        "Converts 4 BYTES (big-endian unless a byte order is given) to an INT.")
@scalar("INT_FROM_BYTES", ["BYTES value", "STRING byteOrder"], "INTEGER", _CONV)
def int_from_bytes(value, order="BIG_ENDIAN"):
    return _unpack("i", value, order)


@scalar("BIGINT_FROM_BYTES", ["BYTES value"], "BIGINT", _CONV,
        "Converts 8 BYTES (big-endian unless a byte order is given) to a BIGINT.")
@scalar("BIGINT_FROM_BYTES", ["BYTES value", "STRING byteOrder"], "BIGINT", _CONV)
def bigint_from_bytes(value, order="BIG_ENDIAN"):
    return _unpack("q", value, order)


@scalar("DOUBLE_FROM_BYTES", ["BYTES value"], "DOUBLE", _CONV,
        "Converts 8 BYTES (big-endian unless a byte order is given) to a DOUBLE.")
@scalar("DOUBLE_FROM_BYTES", ["BYTES value", "STRING byteOrder"], "DOUBLE", _CONV)
def double_from_bytes(value, order="BIG_ENDIAN"):
    return _unpack("d", value, order)
