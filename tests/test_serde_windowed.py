"""Windowed keys: Kafka Streams' TimeWindowed / SessionWindowed layouts."""

import pytest

from ksql_magic.serde import SerdeError, decode_windowed_key, encode_windowed_key


def test_time_window_appends_start_big_endian():
    assert encode_windowed_key(b"k", 1000, 2000, session=False) == (
        b"k" + b"\x00\x00\x00\x00\x00\x00\x03\xe8")


def test_session_window_appends_end_then_start():
    assert encode_windowed_key(b"k", 1, 2, session=True) == (
        b"k" + (2).to_bytes(8, "big") + (1).to_bytes(8, "big"))


@pytest.mark.parametrize("inner,start,end,session,size", [
    (b'"abc"', 0, 30000, False, 30000),
    (b"\x00\x00\x00\x07", 1_700_000_000_000, 1_700_000_060_000, False, 60000),
    (b"user-1", 5, 905, True, None),
    (b"", -1000, 0, False, 1000),
])
def test_round_trip(inner, start, end, session, size):
    wire = encode_windowed_key(inner, start, end, session)
    assert decode_windowed_key(wire, session, size) == (inner, start, end)


def test_time_window_without_size_has_unknown_end():
    assert decode_windowed_key(encode_windowed_key(b"a", 7, 9, False), False, None) == (
        b"a", 7, None)


def test_short_key_is_a_serde_error():
    with pytest.raises(SerdeError):
        decode_windowed_key(b"\x00" * 10, True, None)
