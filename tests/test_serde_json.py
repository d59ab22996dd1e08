"""JSON serde: golden bytes <-> values, ksqlDB's read coercions, and malformed input."""

import math
from decimal import Decimal

import pytest

from ksql_magic import types as T
from ksql_magic.serde import SerdeError, make_serde


def serde(columns, is_key=False, **props):
    return make_serde("JSON", columns, is_key=is_key, properties=props, topic="orders")


ORDER = [("ORDER_ID", T.BIGINT), ("CITY", T.STRING), ("AMOUNT", T.DOUBLE),
         ("PAID", T.BOOLEAN), ("FEE", T.decimal(5, 2))]

GOLDEN = [
    ([7, "Oslo", 12.5, True, Decimal("1.50")],
     b'{"ORDER_ID":7,"CITY":"Oslo","AMOUNT":12.5,"PAID":true,"FEE":1.50}'),
    ([None, None, None, None, None],
     b'{"ORDER_ID":null,"CITY":null,"AMOUNT":null,"PAID":null,"FEE":null}'),
    ([9007199254740993, "", 1e7, False, Decimal("0.00")],
     b'{"ORDER_ID":9007199254740993,"CITY":"","AMOUNT":1.0E7,"PAID":false,"FEE":0.00}'),
    ([1, "\u00e6\u00f8\u00e5", 1.234e-5, True, Decimal("-999.99")],
     '{"ORDER_ID":1,"CITY":"\u00e6\u00f8\u00e5","AMOUNT":1.234E-5,"PAID":true,"FEE":-999.99}'
     .encode()),
]


@pytest.mark.parametrize("values,data", GOLDEN)
def test_row_serializes_to_compact_json_in_column_order(values, data):
    assert serde(ORDER).serialize(values) == data


@pytest.mark.parametrize("values,data", GOLDEN)
def test_row_deserializes_from_its_json(values, data):
    assert serde(ORDER).deserialize(data) == values


def test_null_record_is_none_both_ways():
    s = serde(ORDER)
    assert s.serialize(None) is None
    assert s.deserialize(None) is None
    assert s.deserialize(b"null") is None


def test_field_names_match_case_insensitively_when_not_exact():
    s = serde([("CITY", T.STRING), ("qty", T.INTEGER)])
    assert s.deserialize(b'{"city":"Rome","QTY":3}') == ["Rome", None]
    assert s.deserialize(b'{"city":"Rome","qty":3}') == ["Rome", 3]


def test_missing_and_extra_fields_are_ignored_as_null():
    assert serde(ORDER[:2]).deserialize(b'{"CITY":"x","OTHER":1}') == [None, "x"]


def test_single_value_unwrapped_when_wrap_single_value_false():
    s = serde([("N", T.INTEGER)], WRAP_SINGLE_VALUE=False)
    assert s.serialize([42]) == b"42"
    assert s.deserialize(b"42") == [42]
    assert s.serialize([None]) is None


def test_single_key_column_is_written_bare():
    s = serde([("K", T.STRING)], is_key=True)
    assert s.serialize(["abc"]) == b'"abc"'
    assert s.deserialize(b'"abc"') == ["abc"]


def test_multi_column_key_is_an_object():
    s = serde([("K1", T.INTEGER), ("K2", T.STRING)], is_key=True)
    assert s.serialize([1, "a"]) == b'{"K1":1,"K2":"a"}'


def test_single_value_wrapped_by_default():
    assert serde([("N", T.INTEGER)]).serialize([5]) == b'{"N":5}'


@pytest.mark.parametrize("sql_type,json_text,value", [
    (T.INTEGER, b'"12"', 12),
    (T.INTEGER, b"12.9", 12),
    (T.INTEGER, b"4294967297", 1),
    (T.BIGINT, b'"-5"', -5),
    (T.DOUBLE, b"3", 3.0),
    (T.DOUBLE, b'"2.5"', 2.5),
    (T.STRING, b"1.50", "1.50"),
    (T.STRING, b"true", "true"),
    (T.STRING, b'{"a":1.0,"b":[1]}', '{"a":1.0,"b":[1]}'),
    (T.STRING, b"[1,2.0,null]", "[1, 2.0, null]"),
    (T.decimal(4, 2), b"1.5", Decimal("1.50")),
    (T.decimal(4, 2), b'"3.25"', Decimal("3.25")),
    (T.BYTES, b'"AAH/"', b"\x00\x01\xff"),
    (T.TIMESTAMP, b"1700000000000", 1700000000000),
    (T.DATE, b"19000", 19000),
    (T.TIME, b"3600000", 3600000),
    (T.array(T.STRING), b"[1,2,3]", ["1", "2", "3"]),
    (T.map_of(T.STRING, T.INTEGER), b'{"a":1,"b":null}', {"a": 1, "b": None}),
    (T.struct([("A", T.DOUBLE)]), b'{"a":4}', {"A": 4.0}),
])
def test_read_coercions_follow_ksqldb(sql_type, json_text, value):
    got = serde([("V", sql_type)], WRAP_SINGLE_VALUE=False).deserialize(json_text)
    assert got == [value]
    assert type(got[0]) is type(value)


def test_decimal_keeps_exact_digits_beyond_float_precision():
    s = serde([("V", T.decimal(21, 19))])
    assert s.deserialize(b'{"V":10.1234512345123451234}') == [Decimal("10.1234512345123451234")]


def test_double_nan_and_infinity_are_written_as_strings_and_read_back():
    s = serde([("V", T.DOUBLE)])
    assert s.serialize([math.inf]) == b'{"V":"Infinity"}'
    assert math.isnan(s.deserialize(s.serialize([math.nan]))[0])


def test_bytes_written_as_base64():
    assert serde([("B", T.BYTES)]).serialize([b"variations"]) == b'{"B":"dmFyaWF0aW9ucw=="}'


def test_struct_written_in_declared_field_order_with_nulls():
    s = serde([("S", T.struct([("B", T.INTEGER), ("A", T.array(T.DOUBLE))]))])
    assert s.serialize([{"A": [1.0]}]) == b'{"S":{"B":null,"A":[1.0]}}'


def test_nested_doubles_use_java_notation():
    s = serde([("M", T.map_of(T.STRING, T.array(T.DOUBLE)))])
    assert s.serialize([{"k": [1e-4, 2.0, None]}]) == b'{"M":{"k":[1.0E-4,2.0,null]}}'


def test_trailing_content_after_the_value_is_ignored_like_jackson():
    assert serde([("V", T.INTEGER)], WRAP_SINGLE_VALUE=False).deserialize(b"1 2") == [1]


def test_huge_integer_is_read_exactly_then_wrapped():
    s = serde([("V", T.BIGINT)], WRAP_SINGLE_VALUE=False)
    assert s.deserialize(b"18446744073709551617") == [1]


@pytest.mark.parametrize("columns,data,message", [
    (ORDER, b"not json", "Failed to deserialize value from topic: orders."),
    (ORDER, b'{"PAID":"yes"}',
     "Can't convert type. sourceType: TextNode, requiredType: BOOLEAN, path: $.PAID"),
    (ORDER, b'{"ORDER_ID":"x1"}', "Can't coerce string to type. targetType: BIGINT, path: "
                                  "$.ORDER_ID"),
    (ORDER, b"[1]", "sourceType: ArrayNode, requiredType: STRUCT<"),
    (ORDER, b'{"FEE":1.234}', "Cannot fit decimal '1.234' into DECIMAL(5, 2) without rounding"),
    ([("A", T.array(T.INTEGER))], b'{"A":[1,"x"]}', "path: $.A[1]"),
    ([("M", T.map_of(T.STRING, T.BOOLEAN))], b'{"M":{"k":1}}', "path: $.M.k.value"),
    ([("B", T.BYTES)], b'{"B":"***"}', "Value is not a valid Base64 encoded string: ***"),
    (ORDER, b"", "Failed to deserialize value"),
    (ORDER, b'{"AMOUNT":NaN}', "Failed to deserialize value"),
])
def test_malformed_input_raises_serde_error_with_ksqldb_message(columns, data, message):
    with pytest.raises(SerdeError) as info:
        serde(columns).deserialize(data)
    assert message in str(info.value)


def test_key_errors_name_the_key():
    with pytest.raises(SerdeError, match="Failed to deserialize key from topic: orders"):
        serde([("K", T.INTEGER)], is_key=True).deserialize(b"{}")


@pytest.mark.parametrize("value", [0.1, 1.0, 123.456, 0.001, 9999999.999, 1e-3, 5e6 + 0.5,
                                   2 / 3, 1e7, 1e-3 - 1e-19, 12345.678901234567])
def test_double_output_equals_java_double_to_string(value):
    from ksql_magic.serde.java_numbers import java_double_str
    assert serde([("V", T.DOUBLE)]).serialize([value]) == (
        '{"V":%s}' % java_double_str(value)).encode()


def test_any_double_is_written_as_java_writes_it():
    from hypothesis import given, settings, strategies as st
    from ksql_magic.serde.java_numbers import java_double_str
    s = serde([("V", T.DOUBLE)], WRAP_SINGLE_VALUE=False)

    @settings(max_examples=500, deadline=None)
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def check(v):
        assert s.serialize([v]) == java_double_str(v).encode()
        assert s.deserialize(s.serialize([v])) == [v]
    check()


def test_rows_round_trip_through_the_compiled_reader_with_odd_names():
    cols = [("with.dot", T.INTEGER), ("SELECT", T.STRING), ("it's \"q\"", T.BOOLEAN)]
    s = serde(cols)
    row = [1, "x", True]
    assert s.deserialize(s.serialize(row)) == row


@pytest.mark.parametrize("value_type, value, text", [(T.STRING, "x", b'"x"'), (T.DOUBLE, 1.5, b"1.5")])
def test_null_map_key_is_written_as_the_text_null(value_type, value, text):
    s = serde([("TAGS", T.map_of(T.STRING, value_type))])
    assert s.serialize([{"a": value, None: value}]) == b'{"TAGS":{"a":%s,"null":%s}}' % (text, text)
