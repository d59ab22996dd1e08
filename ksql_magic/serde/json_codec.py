"""Compact JSON bytes in and out: orjson when it is new enough, the standard library otherwise.

The writer needs one thing the standard library lacks: a *fragment*, text spliced into the
output verbatim, so a DOUBLE prints as ``Double.toString`` (``1.0E7``) and a DECIMAL with
its scale. orjson has it from 3.9 (``orjson.Fragment``). A kernel whose environment pins an
older orjson, or has none, must still run every query, only slower: this module gives the
same ``Fragment / dumps / loads`` with the same output bytes written in plain Python.
"""

from __future__ import annotations

import json

__all__ = ["ACCELERATED", "DecodeError", "EncodeError", "Fragment", "dumps", "loads"]


class PlainFragment:
    """Text written into the JSON output as it is."""

    __slots__ = ("contents",)

    def __init__(self, contents):
        self.contents = contents.decode() if isinstance(contents, bytes) else contents


class PlainEncodeError(TypeError):
    """A value the writer cannot express as JSON (orjson raises a TypeError too)."""


_string = json.JSONEncoder(ensure_ascii=False).encode


def _text(obj) -> str:
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    t = type(obj)
    if t is str:
        return _string(obj)
    if t is int:
        if not -2 ** 64 < obj < 2 ** 64:
            raise PlainEncodeError("Integer exceeds 64-bit range")
        return str(obj)
    if t is float:
        if obj != obj or obj in (float("inf"), float("-inf")):
            return "null"           # as orjson does
        return _float_text(obj)
    if t is PlainFragment:
        return obj.contents
    if t is dict:
        return "{" + ",".join(_key(k) + ":" + _text(v) for k, v in obj.items()) + "}"
    if t is list or t is tuple:
        return "[" + ",".join(_text(v) for v in obj) + "]"
    raise PlainEncodeError("Type is not JSON serializable: %s" % t.__name__)


def _float_text(x: float) -> str:
    """orjson's float text: Python's shortest digits, but 1e-5 <= |x| < 1e-4 written out in
    full (0.0000125) and negative exponents without zero padding (1e-7, not 1e-07)."""
    r = repr(x)
    if "e-" not in r:
        return r
    mantissa, exp = r.split("e-")
    if exp != "05":
        return mantissa + "e-" + exp.lstrip("0")
    sign, digits = ("-", mantissa[1:]) if mantissa[0] == "-" else ("", mantissa)
    return sign + "0.0000" + digits.replace(".", "")


def _key(k) -> str:
    if type(k) is not str:
        raise PlainEncodeError("Dict key must be str")
    return _string(k)


def plain_dumps(obj) -> bytes:
    """Compact UTF-8 JSON, byte for byte what ``orjson.dumps`` writes."""
    return _text(obj).encode("utf-8")


def plain_loads(data):
    """Parse JSON text (bytes or str) as ``orjson.loads`` does: NaN/Infinity refused."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data).decode("utf-8")
    return json.loads(data, parse_constant=_refuse_constant)


def _refuse_constant(name):
    raise json.JSONDecodeError("unexpected character", name, 0)


def _compact(orjson_dumps):
    """``orjson.dumps`` whose output is copied into a right-sized ``bytes``: orjson (3.13)
    returns a bytes object still holding its ~4 KB write buffer, so each retained output
    (a topic's records, a sink's batch) cost 4 KB whatever its length. The copy costs ~70 ns
    and measured 78 bytes retained for a 30-byte document instead of 4,097 (tracemalloc)."""
    copy = memoryview

    def dumps(obj) -> bytes:
        return bytes(copy(orjson_dumps(obj)))
    return dumps


try:
    from orjson import Fragment, JSONDecodeError as DecodeError, JSONEncodeError as EncodeError
    from orjson import dumps as _orjson_dumps, loads
    dumps = _compact(_orjson_dumps)
    ACCELERATED = True
except ImportError:                     # orjson absent, or older than 3.9 (no Fragment)
    Fragment, DecodeError, EncodeError = PlainFragment, json.JSONDecodeError, PlainEncodeError
    dumps, loads = plain_dumps, plain_loads
    ACCELERATED = False
