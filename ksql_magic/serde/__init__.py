"""Bytes <-> SQL values for ksqlDB's formats (JSON, DELIMITED, KAFKA, NONE, and the schema
registry's AVRO, JSON_SR, PROTOBUF and PROTOBUF_NOSR) and windowed keys.

``make_serde`` picks the format's module from a table and builds a serde specialised to the
schema once; ``validate_format`` raises ksqlDB's statement errors before any record flows.
"""

from __future__ import annotations

from . import (avro_format, delimited, json_format, json_sr_format, kafka_format, none_format,
               protobuf_format)
from .base import Failure, Serde, SerdeError
from .validate import normalize_format, validate_format
from .windowed import decode_windowed_key, encode_windowed_key

_FORMATS = {
    "JSON": json_format.make,
    "DELIMITED": delimited.make,
    "KAFKA": kafka_format.make,
    "NONE": none_format.make,
}
# Formats whose serde needs the schema registry (and the topic, for its subjects).
_REGISTRY_FORMATS = {
    "AVRO": avro_format.make,
    "JSON_SR": json_sr_format.make,
    "PROTOBUF": protobuf_format.make,
    "PROTOBUF_NOSR": protobuf_format.make_nosr,
}


def make_serde(fmt: str, columns, *, is_key: bool, properties: dict | None = None,
               topic: str | None = None, registry=None) -> Serde:
    """The serde of ``fmt`` for ``columns`` (a list of (name, SqlType)). ``topic`` only
    names the topic in error messages. Call ``validate_format`` first: an unsupported
    combination raises here too, but without ksqlDB's wording for every case. ``registry``
    (serde.registry.Registry) is required by the registry formats."""
    name = normalize_format(fmt)
    columns = list(columns)
    if name in _REGISTRY_FORMATS:
        return _REGISTRY_FORMATS[name](columns, is_key, properties or {},
                                       Failure(is_key, topic), registry, topic)
    return _FORMATS[name](columns, is_key, properties or {}, Failure(is_key, topic))


__all__ = ["make_serde", "validate_format", "Serde", "SerdeError", "encode_windowed_key",
           "decode_windowed_key"]
