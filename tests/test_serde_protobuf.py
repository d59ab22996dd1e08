"""PROTOBUF / PROTOBUF_NOSR: every SQL type round-trips through confluent-kafka's own
Protobuf serde, and the schema follows ksqlDB's conventions."""

import warnings
from decimal import Decimal

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
pytest.importorskip("google.protobuf")

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.protobuf import (ProtobufDeserializer,  # noqa: E402
                                                      ProtobufSerializer)
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

from ksql_magic.errors import KsqlStatementError  # noqa: E402
from ksql_magic.serde import SerdeError, make_serde, validate_format  # noqa: E402
from ksql_magic.serde import protobuf_format as pf  # noqa: E402
from ksql_magic.serde.registry import Registry  # noqa: E402
from ksql_magic.sql.parser import parse_statement  # noqa: E402


def sql_type(text):
    stmt = parse_statement("CREATE STREAM s (c %s) WITH (kafka_topic='t', value_format='JSON');"
                           % text)
    return stmt.columns[0].type


@pytest.fixture
def registry():
    return Registry(SchemaRegistryClient.new_client({"url": "mock://protobuf-tests"}))


CTX = SerializationContext("t", MessageField.VALUE)
CASES = [
    ("BOOLEAN", True),
    ("INT", -3),
    ("BIGINT", 2 ** 40),
    ("DOUBLE", 2.5),
    ("STRING", "zoë"),
    ("BYTES", b"\x00\x01"),
    ("DECIMAL(6, 2)", Decimal("1234.56")),
    ("DATE", 19000),
    ("TIME", 45_296_789),
    ("TIMESTAMP", 1_700_000_000_123),
    ("ARRAY<BIGINT>", [1, 2]),
    ("MAP<STRING, STRING>", {"a": "b"}),
    ("STRUCT<A INT, B STRING>", {"A": 1, "B": "x"}),
]


def message_class_for(columns):
    fd = pf._add(pf._new_pool(), pf.file_proto(columns, pf.DEFAULT_NAME))
    return pf.message_class(pf.pick_message(fd, None))


@pytest.mark.parametrize("type_text,value", CASES, ids=[c[0] for c in CASES])
def test_each_type_written_by_us_is_read_by_confluent(registry, type_text, value):
    columns = [("V", sql_type(type_text))]
    serde = make_serde("PROTOBUF", columns, is_key=False, topic="t", registry=registry)
    data = serde.serialize([value])
    msg = ProtobufDeserializer(message_class_for(columns),
                               {"use.deprecated.format": False})(data, CTX)
    assert pf.row_reader(msg.DESCRIPTOR, columns)(msg) == [value]


@pytest.mark.parametrize("type_text,value", CASES, ids=[c[0] for c in CASES])
def test_each_type_written_by_confluent_is_read_by_us(registry, type_text, value):
    columns = [("V", sql_type(type_text))]
    cls = message_class_for(columns)
    msg = cls()
    pf._to_message(msg, columns, [value])
    data = ProtobufSerializer(cls, registry.client, {"use.deprecated.format": False})(msg, CTX)
    serde = make_serde("PROTOBUF", columns, is_key=False, topic="t", registry=registry)
    assert serde.deserialize(data) == [value]


def test_nulls_read_back_as_proto3_defaults_except_structs(registry):
    columns = [("I", sql_type("INT")), ("S", sql_type("STRING")), ("A", sql_type("ARRAY<INT>")),
               ("R", sql_type("STRUCT<X INT>"))]
    serde = make_serde("PROTOBUF", columns, is_key=False, topic="t", registry=registry)
    assert serde.deserialize(serde.serialize([None, None, None, None])) == [0, "", [], None]


def test_wrapper_representation_keeps_scalar_nulls(registry):
    columns = [("I", sql_type("INT")), ("S", sql_type("STRING"))]
    serde = make_serde("PROTOBUF", columns, is_key=False, topic="t", registry=registry,
                       properties={"VALUE_PROTOBUF_NULLABLE_REPRESENTATION": "WRAPPER"})
    assert serde.deserialize(serde.serialize([None, "x"])) == [None, "x"]


def test_single_key_column_is_still_a_message(registry):
    serde = make_serde("PROTOBUF", [("K", sql_type("STRING"))], is_key=True, topic="t",
                       registry=registry)
    data = serde.serialize(["abc"])
    # magic, id, message index [0], then field 1 (tag 0x0a), length 3, "abc"
    assert data[5:] == b"\x00\x0a\x03abc"


def test_schema_names_the_top_message_connect_default1_with_nested_messages(registry):
    serde = make_serde("PROTOBUF", [("ID", sql_type("BIGINT")),
                                    ("ADDR", sql_type("STRUCT<CITY STRING>"))],
                       is_key=False, topic="people", registry=registry)
    serde.serialize([1, {"CITY": "Oslo"}])
    schema = registry.client.get_latest_version("people-value").schema
    msg = pf.pick_message(pf.parse_schema(schema), None)
    assert msg.name == "ConnectDefault1"
    assert [(f.name, f.number) for f in msg.fields] == [("ID", 1), ("ADDR", 2)]
    assert msg.fields_by_name["ADDR"].message_type.name == "ConnectDefault2"


def test_proto_text_schema_is_compiled_for_inference():
    from confluent_kafka.schema_registry import Schema
    text = ('syntax = "proto3"; import "google/protobuf/timestamp.proto"; '
            'message Order { uint32 qty = 1; google.protobuf.Timestamp at = 2; '
            'repeated string tags = 3; map<string, double> prices = 4; }')
    cols = pf.infer_columns(Schema(text, "PROTOBUF"), False)
    assert [(n, str(t)) for n, t in cols] == [
        ("QTY", "BIGINT"), ("AT", "TIMESTAMP"), ("TAGS", "ARRAY<STRING>"),
        ("PRICES", "MAP<STRING, DOUBLE>")]


def test_nosr_is_the_bare_message(registry):
    columns = [("N", sql_type("INT"))]
    serde = make_serde("PROTOBUF_NOSR", columns, is_key=False, topic="t", registry=registry)
    data = serde.serialize([150])
    assert data == b"\x08\x96\x01"
    assert serde.deserialize(data) == [150]


def test_garbage_is_a_record_error(registry):
    serde = make_serde("PROTOBUF", [("N", sql_type("INT"))], is_key=False, topic="t",
                       registry=registry)
    with pytest.raises(SerdeError, match="Failed to deserialize value from topic: t"):
        serde.deserialize(b"\x01\x02")


def test_maps_with_non_string_keys_are_refused():
    with pytest.raises(KsqlStatementError, match="PROTOBUF format only supports MAP types "
                                                 "with STRING keys"):
        validate_format("PROTOBUF", [("M", sql_type("MAP<INT, STRING>"))], is_key=False)
