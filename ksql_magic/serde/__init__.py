"""Bytes <-> SQL values for ksqlDB's formats (JSON, DELIMITED, KAFKA, NONE) and windowed keys.

``make_serde`` picks the format's module from a table and builds a serde specialised to the
schema once; ``validate_format`` raises ksqlDB's statement errors before any record flows.
"""

from __future__ import annotations

from . import delimited, json_format, kafka_format, none_format
from .base import Failure, Serde, SerdeError
from .validate import normalize_format, validate_format
from .windowed import decode_windowed_key, encode_windowed_key

_FORMATS = {
    "JSON": json_format.make,
    "DELIMITED": delimited.make,
    "KAFKA": kafka_format.make,
    "NONE": none_format.make,
}


def make_serde(fmt: str, columns, *, is_key: bool, properties: dict | None = None,
               topic: str | None = None) -> Serde:
    """The serde of ``fmt`` for ``columns`` (a list of (name, SqlType)). ``topic`` only
    names the topic in error messages. Call ``validate_format`` first: an unsupported
    combination raises here too, but without ksqlDB's wording for every case."""
    name = normalize_format(fmt)
    columns = list(columns)
    return _FORMATS[name](columns, is_key, properties or {}, Failure(is_key, topic))


__all__ = ["make_serde", "validate_format", "Serde", "SerdeError", "encode_windowed_key",
           "decode_windowed_key"]
