"""Operator state as data only: a tagged, versioned JSON encoding (no pickle, no classes).

Why: a changelog topic's name is predictable and anyone who can write to the cluster can
write to it, so what a restart reads back must never be able to run code. State is turned
into plain JSON values here and back; only the value types operator state holds are known,
and anything else is refused on the way out (``StateEncodeError``) and on the way in
(``StateFormatError``).

Encoding (JSON via orjson):

==========================  =============================================
Python value                JSON
==========================  =============================================
None, bool, str             themselves
int (64-bit range)          a number
int (beyond 64 bits)        ``{"i": "<decimal digits>"}``
float (finite)              a number
float NaN / +-Infinity      ``{"f": "nan" | "inf" | "-inf"}``
list                        an array
tuple                       ``{"t": [...]}``
dict (any hashable keys)    ``{"m": [[key, value], ...]}`` (order kept)
set / frozenset             ``{"s": [...]}``
deque                       ``{"q": [...]}``
decimal.Decimal             ``{"n": "<str(value)>"}``
bytes / bytearray           ``{"b": "<base64>"}``
==========================  =============================================

Every JSON object is a one-key tag, so a plain dict can never be mistaken for a tag.
``dumps`` wraps the value in an envelope ``{"format": FORMAT, "version": VERSION, "state": ...}``;
``loads`` refuses another format or version, bad JSON, unknown tags and nesting deeper than
``MAX_DEPTH``.
"""

from __future__ import annotations

import base64
import binascii
import gc
import math
from contextlib import contextmanager
from collections import deque
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

FORMAT = "ksql-magic-state"
VERSION = 1
MAX_DEPTH = 200
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


class StateEncodeError(TypeError):
    """A value that has no data-only encoding (a function, an object of some class)."""


class StateFormatError(ValueError):
    """Stored state that is not what this version writes: the reason says what is wrong."""


# ================================================================ encode ===

_SIMPLE = frozenset((str, bool, type(None)))               # encoded as themselves
_JSON_SCALARS = frozenset((str, bool, int, float, type(None)))  # decoded as themselves


def to_data(v: Any, _depth: int = 0) -> Any:
    """``v`` as JSON-ready values with tags for the types JSON lacks."""
    cls = v.__class__
    if cls in _SIMPLE:
        return v
    if cls is int:
        return v if _INT64[0] <= v <= _INT64[1] else {"i": str(v)}
    if cls is float:
        if math.isfinite(v):
            return v
        return {"f": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if _depth >= MAX_DEPTH:
        raise StateEncodeError("state nests deeper than %d levels" % MAX_DEPTH)
    d = _depth + 1
    if isinstance(v, list):
        return [x if x.__class__ in _SIMPLE else to_data(x, d) for x in v]
    if isinstance(v, tuple):
        return {"t": [x if x.__class__ in _SIMPLE else to_data(x, d) for x in v]}
    if isinstance(v, dict):
        return {"m": [[to_data(k, d), to_data(x, d)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"s": [to_data(x, d) for x in v]}
    if isinstance(v, deque):
        return {"q": [to_data(x, d) for x in v]}
    if isinstance(v, Decimal):
        return {"n": str(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"b": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, int):
        return to_data(int(v), _depth)
    if isinstance(v, float):
        return to_data(float(v), _depth)
    if isinstance(v, str):
        return str(v)
    raise StateEncodeError("a value of type %s cannot be stored as state data" % type(v).__name__)


@contextmanager
def paused_gc():
    """Cyclic GC off while a snapshot is built, encoded, decoded or installed: those create
    millions of short-lived containers, and the collector's passes over them (not the
    encoding) were most of the time (100k groups: 3.7 s with it, 0.8 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def dumps(state: Any) -> bytes:
    """The envelope with ``state`` encoded, as UTF-8 JSON bytes."""
    with paused_gc():
        return orjson.dumps({"format": FORMAT, "version": VERSION, "state": to_data(state)})


# ================================================================ decode ===

def _hashable(v, what: str):
    try:
        hash(v)
    except TypeError:
        raise StateFormatError("%s is not hashable (%s)" % (what, type(v).__name__)) from None
    return v


def _tagged(obj: dict, depth: int) -> Any:
    if len(obj) != 1:
        raise StateFormatError("an object with keys %s is not a state tag" % sorted(obj)[:5])
    (tag, body), = obj.items()
    d = depth + 1
    if tag in ("t", "s", "q", "m") and not isinstance(body, list):
        raise StateFormatError("tag %r needs an array" % tag)
    if tag == "t":
        return tuple(from_data(x, d) for x in body)
    if tag == "s":
        return {_hashable(from_data(x, d), "a set element") for x in body}
    if tag == "q":
        return deque(from_data(x, d) for x in body)
    if tag == "m":
        out = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise StateFormatError("a map entry is not a [key, value] pair")
            out[_hashable(from_data(pair[0], d), "a map key")] = from_data(pair[1], d)
        return out
    if not isinstance(body, str):
        raise StateFormatError("tag %r needs a string" % tag)
    return _scalar(tag, body)


def _scalar(tag: str, body: str) -> Any:
    try:
        if tag == "i":
            return int(body)
        if tag == "n":
            return Decimal(body)
        if tag == "b":
            return base64.b64decode(body.encode("ascii"), validate=True)
    except (ValueError, InvalidOperation, binascii.Error, UnicodeEncodeError):
        raise StateFormatError("tag %r holds a malformed value" % tag) from None
    if tag == "f" and body in ("nan", "inf", "-inf"):
        return float(body)
    raise StateFormatError("unknown state tag %r" % tag)


def from_data(v: Any, _depth: int = 0) -> Any:
    """The Python value of decoded JSON ``v`` (inverse of ``to_data``)."""
    if v.__class__ in _JSON_SCALARS:
        return v
    if _depth >= MAX_DEPTH:
        raise StateFormatError("state nests deeper than %d levels" % MAX_DEPTH)
    if isinstance(v, list):
        d = _depth + 1
        return [x if x.__class__ in _JSON_SCALARS else from_data(x, d) for x in v]
    if isinstance(v, dict):
        return _tagged(v, _depth)
    raise StateFormatError("unexpected JSON value of type %s" % type(v).__name__)


def loads(data: bytes) -> Any:
    """The state in an envelope written by ``dumps``; ``StateFormatError`` for anything else."""
    with paused_gc():
        return _loads(data)


def _loads(data: bytes) -> Any:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise StateFormatError("not state data (%s)" % str(e).split(":")[0]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StateFormatError("not a %s document" % FORMAT)
    if doc.get("version") != VERSION:
        raise StateFormatError("format version %r, this version reads %d"
                               % (doc.get("version"), VERSION))
    if "state" not in doc:
        raise StateFormatError("the document holds no state")
    return from_data(doc["state"])


def roundtrip(state: Any) -> Any:
    """``state`` encoded and decoded again (what a restart will see); for checks and tests."""
    return loads(dumps(state))


# ================================================================ validation helpers ===

def expect(cond: bool, what: str) -> None:
    """One schema check of restored state: ``StateFormatError(what)`` unless ``cond``."""
    if not cond:
        raise StateFormatError(what)


def is_int(v) -> bool:
    return v.__class__ is int


def opt_int(v) -> bool:
    return v is None or v.__class__ is int
