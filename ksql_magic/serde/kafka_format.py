"""The KAFKA format: Kafka's own primitive serializers for a single column.

INTEGER is 4 bytes big-endian, BIGINT 8, DOUBLE an 8-byte IEEE 754 double, STRING UTF-8,
BYTES the raw bytes. No column (a keyless stream's key) reads and writes nothing, like
ksqlDB's void serde. A wrong byte count is the record's deserialization error.
"""

from __future__ import annotations

import struct

from .base import Failure, Serde


def _fixed(fmt: str, size: int, name: str):
    packer = struct.Struct(fmt)
    message = "Size of data received by %s is not %d" % (name, size)

    def read(data: bytes):
        if len(data) != size:
            raise ValueError(message)
        return packer.unpack(data)[0]
    return read, packer.pack


def _read_string(data: bytes) -> str:
    return bytes(data).decode("utf-8", "replace")


_CODECS = {
    "INTEGER": _fixed(">i", 4, "IntegerDeserializer"),
    "BIGINT": _fixed(">q", 8, "LongDeserializer"),
    "DOUBLE": _fixed(">d", 8, "DoubleDeserializer"),
    "STRING": (_read_string, lambda v: v.encode("utf-8")),
    "BYTES": (bytes, bytes),
}

SUPPORTED_TYPES = tuple(_CODECS)


def make(columns, is_key: bool, properties: dict, fail: Failure) -> Serde:
    if not columns:
        return Serde("KAFKA", is_key, _void_read, _void_write)
    read, write = _CODECS[columns[0][1].base]

    def deserialize(data):
        if data is None:
            return None
        try:
            return [read(data)]
        except ValueError as e:
            raise fail.read(str(e)) from None

    def serialize(values):
        if values is None or values[0] is None:
            return None
        return write(values[0])
    return Serde("KAFKA", is_key, deserialize, serialize)


def _void_read(data):
    return None if data is None else []


def _void_write(values):
    return None
