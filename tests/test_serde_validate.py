"""validate_format: ksqlDB's statement errors for format/schema/property combinations."""

import pytest

from ksql_magic import types as T
from ksql_magic.errors import KsqlStatementError
from ksql_magic.serde import validate_format


def error_of(fmt, columns, is_key=False, **props) -> str:
    with pytest.raises(KsqlStatementError) as info:
        validate_format(fmt, columns, is_key=is_key, properties=props)
    return str(info.value)


@pytest.mark.parametrize("fmt,columns,is_key,props", [
    ("json", [("A", T.map_of(T.STRING, T.INTEGER))], False, {}),
    ("JSON", [("K", T.STRING)], True, {}),
    ("DELIMITED", [("A", T.INTEGER), ("B", T.decimal(4, 2))], False, {"VALUE_DELIMITER": "TAB"}),
    ("KAFKA", [("V", T.BYTES)], False, {"WRAP_SINGLE_VALUE": False}),
    ("KAFKA", [], True, {}),
    ("NONE", [], True, {}),
    ("JSON", [("V", T.INTEGER)], False, {"WRAP_SINGLE_VALUE": "true"}),
])
def test_valid_combinations_pass(fmt, columns, is_key, props):
    validate_format(fmt, columns, is_key=is_key, properties=props)


def test_unknown_format():
    assert error_of("foo", []) == "Unknown format: FOO"


def test_none_with_columns():
    assert error_of("NONE", [("K", T.STRING)], is_key=True) == (
        "The 'NONE' format can only be used when no columns are defined. Got: [`K` STRING KEY]")
    assert "Got: [`FOO` INTEGER]" in error_of("NONE", [("FOO", T.INTEGER)])


def test_kafka_single_field_only():
    assert error_of("KAFKA", [("V0", T.INTEGER), ("V1", T.STRING)]) == (
        "The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]")


@pytest.mark.parametrize("sql_type,name", [
    (T.BOOLEAN, "BOOLEAN"), (T.array(T.INTEGER), "ARRAY"), (T.struct([("F", T.INTEGER)]),
                                                              "STRUCT"),
    (T.decimal(4, 2), "DECIMAL")])
def test_kafka_unsupported_types(sql_type, name):
    assert error_of("KAFKA", [("V", sql_type)]) == (
        "The 'KAFKA' format does not support type '%s'" % name)


def test_kafka_key_errors_are_wrapped_like_ksqldb():
    assert error_of("KAFKA", [("K", T.decimal(21, 19))], is_key=True) == (
        "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns="
        "[`K` DECIMAL(21, 19) KEY], features=[]}\nreason: The 'KAFKA' format does not support "
        "type 'DECIMAL'")


@pytest.mark.parametrize("sql_type,name", [
    (T.array(T.INTEGER), "ARRAY"), (T.map_of(T.INTEGER, T.DOUBLE), "MAP"),
    (T.struct([("F1", T.DOUBLE)]), "STRUCT")])
def test_delimited_rejects_complex_types(sql_type, name):
    assert error_of("DELIMITED", [("V", sql_type)]) == (
        "The 'DELIMITED' format does not support type '%s'" % name)


def test_map_in_key_rejected_before_format_checks():
    assert error_of("DELIMITED", [("K", T.map_of(T.STRING, T.DOUBLE))], is_key=True) == (
        "Map keys, including types that contain maps, are not supported as they may lead to "
        "unexpected behavior due to inconsistent serialization. Key column name: `K`. Column "
        "type: MAP<STRING, DOUBLE>. See https://github.com/confluentinc/ksql/issues/6621 for "
        "more.")
    assert "Column type: ARRAY<MAP<INTEGER, DOUBLE>>." in error_of(
        "JSON", [("K", T.array(T.map_of(T.INTEGER, T.DOUBLE)))], is_key=True)


def test_json_maps_need_string_keys():
    assert error_of("JSON", [("M", T.map_of(T.INTEGER, T.DOUBLE))]) == (
        "JSON only supports MAP types with STRING keys")


@pytest.mark.parametrize("fmt", ["KAFKA", "DELIMITED"])
def test_wrap_single_value_true_rejected_for_unwrapped_formats(fmt):
    assert error_of(fmt, [("V", T.INTEGER)], WRAP_SINGLE_VALUE=True) == (
        "Format '%s' does not support 'WRAP_SINGLE_VALUE' set to 'true'." % fmt)


def test_wrap_single_value_needs_a_single_field():
    assert error_of("JSON", [("A", T.STRING), ("B", T.STRING)], WRAP_SINGLE_VALUE="true") == (
        "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas")


@pytest.mark.parametrize("delimiter", ["", "\t", " "])
def test_blank_delimiter_rejected(delimiter):
    assert error_of("DELIMITED", [("A", T.STRING)], VALUE_DELIMITER=delimiter) == (
        "Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Delimiter "
        "cannot be empty, if you meant to have a tab or space for delimiter, please use the "
        "special values 'TAB' or 'SPACE'\nExample valid value: ';'")


def test_multi_character_delimiter_rejected():
    assert "Configuration KEY_DELIMITER is invalid" in error_of(
        "DELIMITED", [("A", T.STRING)], is_key=True, KEY_DELIMITER="ab")
