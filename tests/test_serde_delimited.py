"""DELIMITED serde: Commons CSV quoting, Java parsing, delimiters, malformed records."""

from decimal import Decimal

import pytest

from ksql_magic import types as T
from ksql_magic.serde import SerdeError, make_serde

ROW = [("SKU", T.STRING), ("QTY", T.INTEGER), ("PRICE", T.DOUBLE), ("TAX", T.decimal(6, 4)),
       ("OK", T.BOOLEAN)]


def serde(columns=ROW, is_key=False, **props):
    return make_serde("DELIMITED", columns, is_key=is_key, properties=props, topic="stock")


GOLDEN = [
    (["ab12", 3, 2.5, Decimal("0.1000"), True], b"ab12,3,2.5,0.1000,true"),
    (["x", None, None, None, None], b"x,,,,"),
    (["a,b", -1, 1e7, Decimal("-1.0000"), False], b'"a,b",-1,1.0E7,-1.0000,false'),
    (['say "hi"', 0, 0.0, Decimal("0.0000"), True], b'"say ""hi""",0,0.0,0.0000,true'),
    ([" pad", 1, 1.0, Decimal("1.0000"), True], b'" pad",1,1.0,1.0000,true'),
]


@pytest.mark.parametrize("values,data", GOLDEN)
def test_row_serializes_with_minimal_quoting(values, data):
    assert serde().serialize(values) == data


@pytest.mark.parametrize("values,data", GOLDEN)
def test_row_deserializes_from_its_text(values, data):
    assert serde().deserialize(data) == values


@pytest.mark.parametrize("first,text", [
    ("-10", '"-10"'), ("#tag", '"#tag"'), ("!", '"!"'), ("Zed", "Zed"), ("9", "9"),
    ("\u00e9t\u00e9", '"\u00e9t\u00e9"'), ("", '""'), ("ends ", '"ends "')])
def test_first_field_quoted_unless_it_starts_alphanumeric(first, text):
    s = serde([("A", T.STRING), ("B", T.STRING)])
    assert s.serialize([first, "z"]).decode() == text + ",z"


@pytest.mark.parametrize("later,text", [
    ("-10", "-10"), ("#", '"#"'), ("!", '"!"'), ("", ""), ("a\nb", '"a\nb"'), ("\tx", '"\tx"')])
def test_later_fields_quoted_only_for_special_characters(later, text):
    s = serde([("A", T.STRING), ("B", T.STRING)])
    assert s.serialize(["a", later]).decode() == "a," + text


def test_negative_date_first_is_quoted_as_ksqldb_writes_it():
    assert serde([("D", T.DATE)]).serialize([-10]) == b'"-10"'


def test_empty_field_is_null_for_every_type_including_string():
    s = serde([("A", T.STRING), ("B", T.STRING)])
    assert s.deserialize(b',""') == [None, None]


def test_quoted_fields_are_unquoted():
    s = serde([("K", T.INTEGER), ("D", T.DOUBLE)])
    assert s.deserialize(b'"22","123.456"') == [22, 123.456]


def test_decimal_padded_to_scale():
    assert serde([("D", T.decimal(6, 4))]).deserialize(b"12.0") == [Decimal("12.0000")]


@pytest.mark.parametrize("prop,data,values", [
    ("TAB", b"a\tb", ["a", "b"]), ("SPACE", b"a b", ["a", "b"]), ("|", b"a|b", ["a", "b"]),
    ("$", b"a,x$b", ["a,x", "b"])])
def test_value_delimiter_property(prop, data, values):
    s = serde([("A", T.STRING), ("B", T.STRING)], VALUE_DELIMITER=prop)
    assert s.deserialize(data) == values
    assert s.serialize(values) == data


def test_key_uses_key_delimiter_not_value_delimiter():
    s = serde([("A", T.STRING), ("B", T.STRING)], is_key=True, KEY_DELIMITER=";",
              VALUE_DELIMITER="-")
    assert s.deserialize(b"foo,bar;baz") == ["foo,bar", "baz"]


def test_temporal_and_bytes_columns_are_numbers_and_base64():
    s = serde([("TS", T.TIMESTAMP), ("D", T.DATE), ("T", T.TIME), ("B", T.BYTES)])
    assert s.deserialize(b"10,-3,1000,AAE=") == [10, -3, 1000, b"\x00\x01"]
    assert s.serialize([10, -3, 1000, b"\x00\x01"]) == b"10,-3,1000,AAE="


def test_boolean_parses_like_java_anything_but_true_is_false():
    assert serde([("B", T.BOOLEAN)]).deserialize(b"TRUE") == [True]
    assert serde([("B", T.BOOLEAN)]).deserialize(b"yes") == [False]


@pytest.mark.parametrize("data,message", [
    (b"a,1,2.0", "Unexpected field count, csvFields:3 schemaFields:5"),
    (b"a,1,2.0,1,true,extra", "Unexpected field count, csvFields:6 schemaFields:5"),
    (b"a,x,2.0,1,true", 'For input string: "x"'),
    (b"a,1,2.0,1.23456,true", "without rounding"),
    (b'"open,1,2.0,1,true', "EOF reached before encapsulated token finished"),
    (b"", "No fields in record"),
])
def test_malformed_record_raises_serde_error(data, message):
    with pytest.raises(SerdeError) as info:
        serde().deserialize(data)
    assert "Failed to deserialize value from topic: stock." in str(info.value)
    assert message in str(info.value)


def test_null_record_is_none_both_ways():
    assert serde().serialize(None) is None
    assert serde().deserialize(None) is None
