"""Encoding functions between STRING and BYTES: TO_BYTES, FROM_BYTES, ENCODE (category STRING).

Encodings are ksqlDB's four, case-insensitive: hex, utf8, ascii, base64. An unknown encoding
or undecodable input gives NULL rather than failing the query.
"""

from __future__ import annotations

import base64
import binascii

from .registry import scalar


def _enc_ascii(b: bytes) -> str:
    return b.decode("ascii", errors="replace").replace("\ufffd", "?")


_TO_TEXT = {"HEX": lambda b: b.hex(), "UTF8": lambda b: b.decode("utf-8"),
            "ASCII": _enc_ascii, "BASE64": lambda b: base64.b64encode(b).decode("ascii")}
_FROM_TEXT = {"HEX": lambda s: bytes.fromhex(s if len(s) % 2 == 0 else "0" + s),
              "UTF8": lambda s: s.encode("utf-8"),
              "ASCII": lambda s: s.encode("ascii", errors="replace"),
              "BASE64": lambda s: base64.b64decode(s, validate=False)}


def to_bytes_value(s, enc):
    conv = _FROM_TEXT.get(enc.upper()) if enc is not None else None
    if s is None or conv is None:
        return None
    try:
        return conv(s)
    except (ValueError, binascii.Error):
        return None


def from_bytes_value(b, enc):
    conv = _TO_TEXT.get(enc.upper()) if enc is not None else None
    if b is None or conv is None:
        return None
    try:
        return conv(b)
    except ValueError:
        return None


@scalar("TO_BYTES", ["STRING str", "STRING encoding"], "BYTES", "STRING",
        "Converts a string to bytes with an encoding (hex, utf8, ascii, base64).")
def to_bytes(s, enc):
    return to_bytes_value(s, enc)


@scalar("FROM_BYTES", ["BYTES bytes", "STRING encoding"], "STRING", "STRING",
        "Converts bytes to a string with an encoding (hex, utf8, ascii, base64).")
def from_bytes(b, enc):
    return from_bytes_value(b, enc)


@scalar("ENCODE", ["STRING str", "STRING inputEncoding", "STRING outputEncoding"], "STRING",
        "STRING", "Re-encodes a string from one encoding to another.")
def encode(s, in_enc, out_enc):
    return from_bytes_value(to_bytes_value(s, in_enc), out_enc)
