"""User-written lists (x IN (...), ARRAY[...], MAP(...)) take one common type, as ksqlDB's
CoercionUtil finds it: numbers widen, STRUCT constructors merge their fields, literals are
read leniently, and items of unrelated types are rejected with ksqlDB's messages."""

import json

import pytest

from ksql_magic import Engine, KsqlError, KsqlStatementError

ROW = {"N": 3, "BIG": 40, "WORD": "y", "FLAG": False, "PRICE": 2.5,
       "COUNTS": {"k": 5}, "POINT": {"Q": 9}, "IDS": [4, 5]}


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM s (n INT, big BIGINT, word STRING, flag BOOLEAN, price DOUBLE, "
              "counts MAP<STRING, BIGINT>, point STRUCT<Q BIGINT>, ids ARRAY<BIGINT>) "
              "WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.produce("s", json.dumps(ROW))
    yield e
    e.close()


def _value(engine, expr):
    rows = engine.execute("SELECT %s AS v FROM s;" % expr)[0].rows
    assert len(rows) == 1
    return rows[0][0]


def _error(engine, where, token) -> KsqlError:
    """The error of a WHERE clause; it must point at ``token``."""
    stmt = "SELECT n FROM s WHERE %s EMIT CHANGES;" % where
    with pytest.raises(KsqlStatementError) as err:
        engine.execute(stmt)
    assert (err.value.line, err.value.column) == (1, stmt.index(token) + 1)
    return err.value


def test_array_of_structs_merges_their_fields(engine):
    v = _value(engine, "ARRAY[STRUCT(a := n), NULL, STRUCT(b := big, a := big)]")
    assert v == [{"A": 3, "B": None}, None, {"A": 40, "B": 40}]


def test_array_widens_an_int_column_to_a_decimal_literal(engine):
    from decimal import Decimal
    assert _value(engine, "ARRAY[n, 1.25]") == [Decimal("3.00"), Decimal("1.25")]


def test_array_of_unrelated_types_names_the_offending_element(engine):
    with pytest.raises(KsqlStatementError, match=r"operator does not exist: INTEGER = BOOLEAN \(FLAG\)"):
        engine.execute("SELECT ARRAY[n, flag] FROM s EMIT CHANGES;")


def test_map_reads_literals_as_the_common_key_and_value_types(engine):
    assert _value(engine, "MAP(word := flag, 7 := 'n', 'z' := 'YES')") == {"y": False, "7": False,
                                                                             "z": True}


def test_map_with_a_non_boolean_string_value_is_rejected(engine):
    with pytest.raises(KsqlStatementError, match='invalid input syntax for type BOOLEAN: "maybe"'):
        engine.execute("SELECT MAP('a' := flag, 'b' := 'maybe') FROM s EMIT CHANGES;")


def test_map_with_a_null_key_is_written_as_a_null_json_key():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    try:
        e.execute("CREATE STREAM src (word STRING, n INT) WITH (KAFKA_TOPIC='src', "
                  "VALUE_FORMAT='JSON', PARTITIONS=1);"
                  "CREATE STREAM out AS SELECT MAP(word := n, NULL := n + 1) AS m FROM src;")
        e.produce("src", '{"WORD": "a", "N": 1}')
        e.drain()
        assert [json.loads(r.value) for r in e.records("OUT")] == [{"M": {"a": 1, "null": 2}}]
    finally:
        e.close()


def test_in_widens_the_operand_to_a_long_string_literal(engine):
    assert _value(engine, "n IN (1, '3000000000')") is False
    assert _value(engine, "n IN ('3', 4)") is True


def test_in_compares_map_constructors_with_widened_values(engine):
    assert _value(engine, "counts IN (MAP('k' := 5))") is True


def test_in_map_constructor_with_non_numeric_string_value_is_an_invalid_predicate(engine):
    e = _error(engine, "counts IN (MAP('k' := 'five'))", "'five'")
    assert e.message.startswith('Invalid Predicate: invalid input syntax for type BIGINT: "five"')


def test_in_struct_constructor_with_wrong_field_type_is_an_invalid_predicate(engine):
    e = _error(engine, "point IN (STRUCT(Q := word))", "STRUCT")
    assert e.message.startswith("Invalid Predicate: operator does not exist: STRUCT<`Q` BIGINT> = "
                                "STRUCT<`Q` STRING> (STRUCT(Q:=WORD))")


def test_in_array_operand_with_a_non_array_item_is_an_invalid_predicate(engine):
    e = _error(engine, "ids IN (ARRAY[1], n)", "n)")
    assert "operator does not exist: ARRAY<BIGINT> = INTEGER (N)" in e.message


def test_in_struct_field_names_are_case_sensitive(engine):
    assert _value(engine, "point IN (STRUCT(`q` := 9))") is False
    assert _value(engine, "point IN (STRUCT(Q := 9))") is True


def test_in_outside_a_predicate_has_no_predicate_prefix(engine):
    with pytest.raises(KsqlStatementError) as err:
        engine.execute("SELECT n IN (1, 'one') FROM s EMIT CHANGES;")
    assert err.value.message.startswith('invalid input syntax for type INTEGER: "one"')


@pytest.mark.parametrize("prop, fmt, config", [
    ("VALUE_AVRO_SCHEMA_FULL_NAME='x.Y'", "JSON", "fullSchemaName"),
    ("VALUE_DELIMITER='|'", "JSON", "delimiter"),
    ("VALUE_SCHEMA_ID=3", "KAFKA", "schemaId"),
])
def test_with_property_the_format_has_no_config_for_is_rejected(prop, fmt, config):
    e = Engine()
    try:
        with pytest.raises(KsqlStatementError) as err:
            e.execute("CREATE STREAM t (v STRING) WITH (KAFKA_TOPIC='t', PARTITIONS=1, "
                      "VALUE_FORMAT='%s', %s);" % (fmt, prop))
        assert err.value.message == "%s does not support the following configs: [%s]" % (fmt, config)
        assert (err.value.line, err.value.column) == (1, 1)
        assert "T" not in e.catalog.sources
    finally:
        e.close()


def test_delimiter_is_a_config_of_the_delimited_format():
    e = Engine()
    try:
        e.execute("CREATE STREAM t (v STRING, w STRING) WITH (KAFKA_TOPIC='t', PARTITIONS=1, "
                  "VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='|');")
        assert "T" in e.catalog.sources
    finally:
        e.close()
