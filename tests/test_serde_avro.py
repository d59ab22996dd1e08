"""AVRO: every SQL type round-trips through confluent-kafka's own Avro serde and the
schema ksqlDB registers is the one its documentation shows."""

import json
import warnings
from decimal import Decimal

import pytest

pytest.importorskip("fastavro")
warnings.filterwarnings("ignore", category=DeprecationWarning)

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

from ksql_magic.errors import KsqlStatementError  # noqa: E402
from ksql_magic.serde import SerdeError, make_serde, validate_format  # noqa: E402
from ksql_magic.serde.registry import Registry  # noqa: E402
from ksql_magic.sql.parser import parse_statement  # noqa: E402


def sql_type(text):
    stmt = parse_statement("CREATE STREAM s (c %s) WITH (kafka_topic='t', value_format='JSON');"
                           % text)
    return stmt.columns[0].type


@pytest.fixture
def registry():
    return Registry(SchemaRegistryClient.new_client({"url": "mock://avro-tests"}))


def ctx(is_key=False):
    return SerializationContext("t", MessageField.KEY if is_key else MessageField.VALUE)


# (SQL type, our row value, what confluent's AvroDeserializer hands back)
CASES = [
    ("BOOLEAN", True, True),
    ("INT", -7, -7),
    ("BIGINT", 2 ** 40, 2 ** 40),
    ("DOUBLE", 1.25, 1.25),
    ("STRING", "héllo", "héllo"),
    ("BYTES", b"\x00\xff", b"\x00\xff"),
    ("DECIMAL(5, 2)", Decimal("123.45"), Decimal("123.45")),
    ("DATE", 19000, __import__("datetime").date(2022, 1, 8)),
    ("TIME", 3_600_000, __import__("datetime").time(1, 0)),
    ("TIMESTAMP", 1_000, __import__("datetime").datetime(
        1970, 1, 1, 0, 0, 1, tzinfo=__import__("datetime").timezone.utc)),
    ("ARRAY<INT>", [1, None, 3], [1, None, 3]),
    ("MAP<STRING, DOUBLE>", {"a": 1.5}, {"a": 1.5}),
    ("STRUCT<A INT, B STRING>", {"A": 1, "B": "x"}, {"A": 1, "B": "x"}),
]


@pytest.mark.parametrize("type_text,row_value,confluent_value", CASES,
                         ids=[c[0] for c in CASES])
def test_each_type_written_by_us_is_read_by_confluent(registry, type_text, row_value,
                                                      confluent_value):
    serde = make_serde("AVRO", [("V", sql_type(type_text)), ("N", sql_type("INT"))],
                       is_key=False, topic="t", registry=registry)
    data = serde.serialize([row_value, None])
    assert AvroDeserializer(registry.client)(data, ctx()) == {"V": confluent_value, "N": None}


@pytest.mark.parametrize("type_text,row_value,confluent_value", CASES,
                         ids=[c[0] for c in CASES])
def test_each_type_written_by_confluent_is_read_by_us(registry, type_text, row_value,
                                                      confluent_value):
    from ksql_magic.serde.avro_format import schema_for
    columns = [("V", sql_type(type_text))]
    schema = json.dumps(schema_for(columns, False, {}))
    data = AvroSerializer(registry.client, schema)({"V": confluent_value}, ctx())
    serde = make_serde("AVRO", columns, is_key=False, topic="t", registry=registry)
    assert serde.deserialize(data) == [row_value]


def test_single_key_column_is_an_unwrapped_optional_primitive(registry):
    serde = make_serde("AVRO", [("K", sql_type("STRING"))], is_key=True, topic="t",
                       registry=registry)
    data = serde.serialize(["card-1"])
    assert registry.client.get_latest_version("t-key").schema.schema_str == '["null", "string"]'
    assert AvroDeserializer(registry.client)(data, ctx(True)) == "card-1"
    assert serde.deserialize(data) == ["card-1"]


def test_value_schema_follows_ksqldb_naming_and_optional_defaults(registry):
    serde = make_serde("AVRO", [("ID", sql_type("BIGINT")),
                                ("ADDRESS", sql_type("STRUCT<CITY STRING>"))],
                       is_key=False, topic="orders", registry=registry)
    serde.serialize([1, {"CITY": "Paris"}])
    schema = json.loads(registry.client.get_latest_version("orders-value").schema.schema_str)
    assert schema == {
        "type": "record", "name": "KsqlDataSourceSchema",
        "namespace": "io.confluent.ksql.avro_schemas",
        "fields": [
            {"name": "ID", "type": ["null", "long"], "default": None},
            {"name": "ADDRESS", "default": None, "type": ["null", {
                "type": "record", "name": "KsqlDataSourceSchema_ADDRESS",
                "namespace": "io.confluent.ksql.avro_schemas",
                "fields": [{"name": "CITY", "type": ["null", "string"], "default": None}]}]},
        ]}


def test_framing_is_magic_byte_then_schema_id_then_avro_binary(registry):
    serde = make_serde("AVRO", [("N", sql_type("INT"))], is_key=False, topic="t",
                       registry=registry)
    data = serde.serialize([1])
    schema_id = registry.client.get_latest_version("t-value").schema_id
    # union branch 1 ("int"), then zig-zag 1 = 2
    assert data == b"\x00" + schema_id.to_bytes(4, "big") + b"\x02\x02"


def test_full_schema_name_names_the_record(registry):
    serde = make_serde("AVRO", [("N", sql_type("INT"))], is_key=False, topic="t",
                       properties={"VALUE_SCHEMA_FULL_NAME": "com.acme.Payment"},
                       registry=registry)
    serde.serialize([1])
    schema = json.loads(registry.client.get_latest_version("t-value").schema.schema_str)
    assert (schema["namespace"], schema["name"]) == ("com.acme", "Payment")


def test_unwrapped_single_value_has_no_record(registry):
    serde = make_serde("AVRO", [("N", sql_type("ARRAY<BIGINT>"))], is_key=False, topic="t",
                       properties={"WRAP_SINGLE_VALUE": False}, registry=registry)
    data = serde.serialize([[1, 2]])
    assert AvroDeserializer(registry.client)(data, ctx()) == [1, 2]


def test_writer_field_names_match_columns_case_insensitively_and_widen(registry):
    writer = json.dumps({"type": "record", "name": "Payment", "fields": [
        {"name": "amount", "type": "float"}, {"name": "count", "type": "int"}]})
    data = AvroSerializer(registry.client, writer)({"amount": 2.5, "count": 3}, ctx())
    serde = make_serde("AVRO", [("AMOUNT", sql_type("DOUBLE")), ("COUNT", sql_type("BIGINT")),
                                ("MISSING", sql_type("STRING"))],
                       is_key=False, topic="t", registry=registry)
    assert serde.deserialize(data) == [2.5, 3, None]


def test_unframed_bytes_fail_with_the_topic_named(registry):
    serde = make_serde("AVRO", [("N", sql_type("INT"))], is_key=False, topic="t",
                       registry=registry)
    with pytest.raises(SerdeError, match="Failed to deserialize value from topic: t. "
                                         "Unknown magic byte"):
        serde.deserialize(b'{"N": 1}')


def test_maps_with_non_string_keys_are_refused():
    with pytest.raises(KsqlStatementError, match="Avro only supports MAPs with STRING keys"):
        validate_format("AVRO", [("M", sql_type("MAP<INT, DOUBLE>"))], is_key=False)


def test_field_names_avro_cannot_hold_are_refused():
    with pytest.raises(KsqlStatementError, match="Illegal initial character: 1X"):
        validate_format("AVRO", [("1X", sql_type("INT"))], is_key=False)


def test_user_schema_id_writes_field_defaults_for_nulls(registry):
    user = json.dumps({"type": "record", "name": "Order", "namespace": "acme", "fields": [
        {"name": "qty", "type": "int", "default": 0},
        {"name": "note", "type": ["null", "string"], "default": None}]})
    from confluent_kafka.schema_registry import Schema
    schema_id = registry.client.register_schema("elsewhere-value", Schema(user, "AVRO"))
    serde = make_serde("AVRO", [("QTY", sql_type("INT")), ("NOTE", sql_type("STRING"))],
                       is_key=False, topic="t", properties={"VALUE_SCHEMA_ID": schema_id},
                       registry=registry)
    data = serde.serialize([None, None])
    assert data[1:5] == schema_id.to_bytes(4, "big")
    assert AvroDeserializer(registry.client)(data, ctx()) == {"qty": 0, "note": None}
