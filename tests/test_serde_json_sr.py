"""JSON_SR: JSON's payload behind the registry framing; every SQL type round-trips through
confluent-kafka's own JSON Schema serde."""

import json
import warnings
from decimal import Decimal

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
pytest.importorskip("jsonschema")

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.json_schema import (JSONDeserializer,  # noqa: E402
                                                         JSONSerializer)
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

from ksql_magic.serde import SerdeError, make_serde  # noqa: E402
from ksql_magic.serde.json_sr_format import schema_for  # noqa: E402
from ksql_magic.serde.registry import Registry  # noqa: E402
from ksql_magic.sql.parser import parse_statement  # noqa: E402


def sql_type(text):
    stmt = parse_statement("CREATE STREAM s (c %s) WITH (kafka_topic='t', value_format='JSON');"
                           % text)
    return stmt.columns[0].type


@pytest.fixture
def registry():
    return Registry(SchemaRegistryClient.new_client({"url": "mock://json-sr-tests"}))


CTX = SerializationContext("t", MessageField.VALUE)

# (SQL type, row value, the JSON value confluent's deserializer hands back)
CASES = [
    ("BOOLEAN", False, False),
    ("INT", 42, 42),
    ("BIGINT", 2 ** 40, 2 ** 40),
    ("DOUBLE", 0.5, 0.5),
    ("STRING", "x y", "x y"),
    ("BYTES", b"\x01\x02", "AQI="),
    ("DECIMAL(4, 2)", Decimal("12.30"), 12.3),
    ("DATE", 19000, 19000),
    ("TIME", 1000, 1000),
    ("TIMESTAMP", 1_700_000_000_000, 1_700_000_000_000),
    ("ARRAY<STRING>", ["a", None], ["a", None]),
    ("MAP<STRING, INT>", {"k": 1}, {"k": 1}),
    ("STRUCT<A BIGINT>", {"A": 5}, {"A": 5}),
]


@pytest.mark.parametrize("type_text,row_value,json_value", CASES, ids=[c[0] for c in CASES])
def test_each_type_written_by_us_is_read_by_confluent(registry, type_text, row_value,
                                                      json_value):
    serde = make_serde("JSON_SR", [("V", sql_type(type_text))], is_key=False, topic="t",
                       registry=registry)
    data = serde.serialize([row_value])
    schema = registry.client.get_latest_version("t-value").schema
    assert JSONDeserializer(schema, schema_registry_client=registry.client)(data, CTX) == {
        "V": json_value}


@pytest.mark.parametrize("type_text,row_value,json_value", CASES, ids=[c[0] for c in CASES])
def test_each_type_written_by_confluent_is_read_by_us(registry, type_text, row_value,
                                                      json_value):
    columns = [("V", sql_type(type_text))]
    schema = json.dumps(schema_for(columns, False, {}))
    data = JSONSerializer(schema, registry.client)({"V": json_value}, CTX)
    serde = make_serde("JSON_SR", columns, is_key=False, topic="t", registry=registry)
    assert serde.deserialize(data) == [row_value]


def test_schema_is_connects_json_schema_with_optional_fields(registry):
    serde = make_serde("JSON_SR", [("ID", sql_type("INT")), ("NAME", sql_type("STRING"))],
                       is_key=False, topic="users", registry=registry)
    serde.serialize([1, "a"])
    schema = json.loads(registry.client.get_latest_version("users-value").schema.schema_str)
    assert schema == {"type": "object", "properties": {
        "ID": {"connect.index": 0, "oneOf": [{"type": "null"},
                                             {"type": "integer", "connect.type": "int32"}]},
        "NAME": {"connect.index": 1, "oneOf": [{"type": "null"}, {"type": "string"}]}}}


def test_payload_without_the_magic_byte_is_a_record_error(registry):
    serde = make_serde("JSON_SR", [("ID", sql_type("INT"))], is_key=False, topic="t",
                       registry=registry)
    with pytest.raises(SerdeError, match="Unknown magic byte"):
        serde.deserialize(b'{"ID": 1}')


def test_user_schema_id_adds_its_other_properties_as_nulls(registry):
    from confluent_kafka.schema_registry import Schema
    user = json.dumps({"type": "object", "properties": {"C1": {"type": "integer"},
                                                        "C2": {"type": "string"}}})
    schema_id = registry.client.register_schema("other-value", Schema(user, "JSON"))
    serde = make_serde("JSON_SR", [("C1", sql_type("BIGINT"))], is_key=False, topic="t",
                       properties={"VALUE_SCHEMA_ID": schema_id}, registry=registry)
    data = serde.serialize([4])
    assert data[1:5] == schema_id.to_bytes(4, "big")
    assert json.loads(data[5:]) == {"C1": 4, "C2": None}
