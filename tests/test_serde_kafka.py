"""KAFKA serde: Kafka's primitive serializers for one column, and keyless (void) keys."""

import pytest

from ksql_magic import types as T
from ksql_magic.serde import SerdeError, make_serde


def serde(sql_type, is_key=False):
    return make_serde("KAFKA", [("V", sql_type)], is_key=is_key, properties={}, topic="t")


GOLDEN = [
    (T.INTEGER, 1, b"\x00\x00\x00\x01"),
    (T.INTEGER, -2, b"\xff\xff\xff\xfe"),
    (T.BIGINT, 2 ** 40, b"\x00\x00\x01\x00\x00\x00\x00\x00"),
    (T.DOUBLE, 1.5, b"\x3f\xf8\x00\x00\x00\x00\x00\x00"),
    (T.STRING, "h\u00e9", "h\u00e9".encode()),
    (T.STRING, "", b""),
    (T.BYTES, b"\x00\xff", b"\x00\xff"),
]


@pytest.mark.parametrize("sql_type,value,data", GOLDEN)
def test_value_serializes_to_kafka_primitive_bytes(sql_type, value, data):
    assert serde(sql_type).serialize([value]) == data


@pytest.mark.parametrize("sql_type,value,data", GOLDEN)
def test_bytes_deserialize_to_the_value(sql_type, value, data):
    assert serde(sql_type).deserialize(data) == [value]


@pytest.mark.parametrize("sql_type,data,message", [
    (T.INTEGER, b"\x00\x01", "Size of data received by IntegerDeserializer is not 4"),
    (T.BIGINT, b"\x00" * 4, "Size of data received by LongDeserializer is not 8"),
    (T.DOUBLE, b"\x00" * 9, "Size of data received by DoubleDeserializer is not 8"),
])
def test_wrong_length_raises_serde_error(sql_type, data, message):
    with pytest.raises(SerdeError, match=message):
        serde(sql_type).deserialize(data)


def test_null_value_and_null_column_are_null_bytes():
    assert serde(T.INTEGER).serialize([None]) is None
    assert serde(T.INTEGER).serialize(None) is None
    assert serde(T.INTEGER).deserialize(None) is None


def test_no_columns_ignores_the_bytes():
    s = make_serde("kafka", [], is_key=True, properties={})
    assert s.deserialize(b"anything") == []
    assert s.serialize([]) is None
