"""Windowed keys as Kafka Streams writes them for ksqlDB's windowed tables.

``TimeWindowedSerializer`` (tumbling and hopping): the inner key bytes, then the window
start as an 8-byte big-endian long; the end is not stored (start + window size).
``SessionWindowedSerializer``: the inner key bytes, then the end, then the start, 8 bytes
each, big-endian.
"""

from __future__ import annotations

import struct

from .base import SerdeError

_LONG = struct.Struct(">q")
_TWO_LONGS = struct.Struct(">qq")
_INT64_MAX = 2 ** 63 - 1


def encode_windowed_key(inner: bytes | None, start: int, end: int, session: bool) -> bytes:
    """The wire key of a windowed record (a null inner key is written as empty bytes)."""
    inner = inner or b""
    if session:
        return inner + _TWO_LONGS.pack(end, start)
    return inner + _LONG.pack(start)


def decode_windowed_key(data: bytes | None, session: bool,
                        window_size: int | None) -> tuple:
    """``(inner, start, end)`` of a wire key; for time windows end = start + window_size
    (capped as Kafka Streams caps it), or None when the size is unknown."""
    if data is None:
        return None, None, None
    data = bytes(data)
    if session:
        if len(data) < 16:
            raise SerdeError("Session-windowed key too short: %d bytes" % len(data))
        end, start = _TWO_LONGS.unpack(data[-16:])
        return data[:-16], start, end
    if len(data) < 8:
        raise SerdeError("Time-windowed key too short: %d bytes" % len(data))
    start = _LONG.unpack(data[-8:])[0]
    if window_size is None:
        return data[:-8], start, None
    return data[:-8], start, min(start + window_size, _INT64_MAX)
