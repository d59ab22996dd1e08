"""Python objects handed to ``Engine.produce``, written in the format of the topic's source.

``engine.produce("t", value={"AMOUNT": 9.99}, key="4111")`` on a topic a stream or table is
declared on writes the bytes INSERT VALUES would write for that row: the object is read as
the columns' types (dict keys matched exactly, then case-insensitively; a bare scalar for a
single unwrapped column), then serialized by the source's key / value serde — Avro with its
registered schema id, JSON, DELIMITED, KAFKA alike. ``bytes`` and ``str`` stay raw.
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import KsqlError
from . import make_serde
from .base import SerdeError
from .json_format import coercer, is_wrapped

_RAW = (bytes, bytearray, memoryview, str)


class ProduceError(KsqlError):
    """A Python object cannot be written as a row of the topic's source."""


def is_object(v) -> bool:
    """True for what produce() serializes (dict, list, number, bool), not raw bytes / text."""
    return v is not None and not isinstance(v, _RAW)


def serialize_objects(engine, topic: str, key, value):
    """``(key, value)`` with any Python object serialized as the topic's source would."""
    if not (is_object(key) or is_object(value)):
        return key, value
    src = _source_on(engine, topic)
    if is_object(key):
        key = _serialize(src, src.key_columns, src.key_format, key, True, topic)
    if is_object(value):
        value = _serialize(src, src.value_columns, src.value_format, value, False, topic)
    return key, value


def _source_on(engine, topic: str):
    sources = [s for s in engine.catalog.sources.values() if s.topic == topic]
    if not sources:
        raise ProduceError("No stream or table is declared on topic '%s': declare one to "
                           "produce Python objects, or pass bytes / str." % topic)
    return min(sources, key=lambda s: (s.is_cas_target, s.name))


def _exact(v):
    """Floats as the Decimal of their shortest repr, so DECIMAL columns keep the digits the
    caller wrote; DOUBLE columns read them back as the same float."""
    if type(v) is float:
        return Decimal(repr(v))
    if isinstance(v, dict):
        return {k: _exact(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_exact(x) for x in v]
    return v


def _row(columns, obj, wrapped: bool, topic: str) -> list:
    """The row of ``obj``: keys that name no column are left out, as ksqlDB's readers skip
    fields their schema does not have (a key field inside a value dict, say)."""
    if not wrapped:
        return [_coerce(columns[0], obj, topic)]
    if not isinstance(obj, dict):
        raise ProduceError("A row of topic '%s' is a dict of its columns %s, not %s"
                           % (topic, [n for n, _ in columns], type(obj).__name__))
    upper = {str(k).upper(): v for k, v in obj.items()}
    return [_coerce((n, t), obj[n] if n in obj else upper.get(n.upper()), topic)
            for n, t in columns]


def _takes_dict(fmt: str, columns, is_key: bool, properties: dict, obj) -> bool:
    """Whether ``obj`` is a dict of columns or one bare column's value. KAFKA and DELIMITED
    never wrap a single column in the bytes; there a ``{column: value}`` dict is also taken."""
    if len(columns) == 1 and fmt.upper() in ("KAFKA", "DELIMITED"):
        return isinstance(obj, dict) and columns[0][1].base not in ("MAP", "STRUCT")
    if fmt.upper() in ("PROTOBUF", "PROTOBUF_NOSR"):    # always a message; a bare scalar
        return len(columns) > 1 or isinstance(obj, dict)  # is taken for a single column
    return is_wrapped(columns, is_key, properties)


def _coerce(column, v, topic: str):
    name, t = column
    if v is None:
        return None
    try:
        return coercer(t)(_exact(v))
    except Exception as e:          # the JSON coercers' own failure type
        raise ProduceError("Cannot write %r as %s column %s of topic '%s': %s"
                           % (v, t, name, topic, getattr(e, "message", e))) from None


def _serialize(src, columns, fmt: str, obj, is_key: bool, topic: str) -> bytes:
    columns = [(c.name, c.type) for c in columns]
    if not columns:
        raise ProduceError("The %s of topic '%s' has no columns." % (
            "key" if is_key else "value", topic))
    if is_key and src.window is not None:
        raise ProduceError("Produce a windowed key as bytes (its window is part of the key).")
    row = _row(columns, obj, _takes_dict(fmt, columns, is_key, src.properties, obj), topic)
    serde = make_serde(fmt, columns, is_key=is_key, properties=src.properties, topic=topic,
                       registry=src.registry)
    try:
        return serde.serialize(row)
    except SerdeError as e:
        raise ProduceError(e.message) from None
