"""CREATE without columns reads them from the schema registry, as ksqlDB does."""

import json
import warnings

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from confluent_kafka.schema_registry import Schema  # noqa: E402

from ksql_magic import Engine, KsqlStatementError  # noqa: E402


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    yield e
    e.close()


PAYMENT = {"type": "record", "name": "Payment", "namespace": "com.acme", "fields": [
    {"name": "card", "type": "string"},
    {"name": "amount", "type": ["null", "double"], "default": None},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "shop", "type": {"type": "record", "name": "Shop",
                              "fields": [{"name": "ID", "type": "int"}]}},
]}


def register(engine, subject, schema, kind="AVRO"):
    return engine.schema_registry.register_schema(subject, Schema(json.dumps(schema), kind))


def describe(engine, name):
    return [tuple(r[:2]) for r in engine.execute("DESCRIBE %s;" % name)[0].rows]


def test_value_columns_come_from_the_latest_value_schema_upper_cased(engine):
    engine.create_topic("payments")
    register(engine, "payments-value", PAYMENT)
    engine.execute("CREATE STREAM p WITH (KAFKA_TOPIC='payments', VALUE_FORMAT='AVRO');")
    cols = {c.name: str(c.type) for c in engine.catalog.sources["P"].columns}
    assert cols == {"CARD": "STRING", "AMOUNT": "DOUBLE", "AT": "TIMESTAMP",
                    "TAGS": "ARRAY<STRING>", "SHOP": "STRUCT<`ID` INTEGER>"}


def test_primitive_key_schema_becomes_rowkey(engine):
    engine.create_topic("t")
    register(engine, "t-key", "int")
    register(engine, "t-value", PAYMENT)
    engine.execute("CREATE TABLE t WITH (KAFKA_TOPIC='t', FORMAT='AVRO');")
    keys = [(c.name, str(c.type)) for c in engine.catalog.sources["T"].key_columns]
    assert keys == [("ROWKEY", "INTEGER")]


def test_value_schema_id_picks_that_schema(engine):
    engine.create_topic("t")
    register(engine, "t-value", PAYMENT)
    other = register(engine, "other-value", {"type": "record", "name": "X", "fields": [
        {"name": "ONLY", "type": "long"}]})
    engine.execute("CREATE STREAM s WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO', "
                   "VALUE_SCHEMA_ID=%d);" % other)
    assert [c.name for c in engine.catalog.sources["S"].value_columns] == ["ONLY"]


def test_missing_subject_is_ksqldbs_error(engine):
    engine.create_topic("nothing")
    with pytest.raises(KsqlStatementError, match="Schema for message values on topic 'nothing' "
                                                 "does not exist in the Schema Registry"):
        engine.execute("CREATE STREAM s WITH (KAFKA_TOPIC='nothing', VALUE_FORMAT='AVRO');")


def test_columns_and_value_schema_id_together_are_refused(engine):
    engine.create_topic("t")
    with pytest.raises(KsqlStatementError, match="Table elements and VALUE_SCHEMA_ID cannot "
                                                 "both exist"):
        engine.execute("CREATE STREAM s (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO', "
                       "VALUE_SCHEMA_ID=1);")


def test_schema_id_needs_a_format_that_infers(engine):
    engine.create_topic("t")
    with pytest.raises(KsqlStatementError, match="VALUE_FORMAT should support schema inference"):
        engine.execute("CREATE STREAM s WITH (KAFKA_TOPIC='t', VALUE_FORMAT='KAFKA', "
                       "VALUE_SCHEMA_ID=1);")


def test_json_sr_schema_inferred_from_its_properties_upper_cased(engine):
    engine.create_topic("j")
    register(engine, "j-value", {"type": "object", "properties": {
        "id": {"type": "integer"}, "Name": {"type": "string"},
        "PRICE": {"type": "number"}}}, kind="JSON")
    engine.execute("CREATE STREAM j WITH (KAFKA_TOPIC='j', VALUE_FORMAT='JSON_SR');")
    assert [(c.name, str(c.type)) for c in engine.catalog.sources["J"].value_columns] == [
        ("ID", "BIGINT"), ("NAME", "STRING"), ("PRICE", "DOUBLE")]


def test_create_as_select_registers_sink_schemas(engine):
    engine.execute("CREATE STREAM src (K INT KEY, V STRING) WITH (KAFKA_TOPIC='src', "
                   "FORMAT='AVRO', PARTITIONS=1);")
    engine.execute("CREATE STREAM out WITH (KAFKA_TOPIC='out') AS SELECT * FROM src;")
    subjects = set(engine.schema_registry.get_subjects())
    assert {"out-key", "out-value"} <= subjects


def test_inferred_stream_reads_records_produced_by_confluent(engine):
    from confluent_kafka.schema_registry.avro import AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext
    engine.create_topic("payments")
    register(engine, "payments-value", PAYMENT)
    ser = AvroSerializer(engine.schema_registry, json.dumps(PAYMENT),
                         conf={"auto.register.schemas": False, "use.latest.version": True})
    import datetime
    at = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    engine.produce("payments", ser({"card": "c1", "amount": 3.5, "at": at, "tags": ["x"],
                                    "shop": {"ID": 7}},
                                   SerializationContext("payments", MessageField.VALUE)))
    engine.execute("CREATE STREAM p WITH (KAFKA_TOPIC='payments', VALUE_FORMAT='AVRO');")
    rows = engine.execute("SELECT card, amount, at, shop->ID FROM p;")[0].rows
    assert rows == [["c1", 3.5, "2024-01-01T00:00:00.000", 7]]    # TIMESTAMP shown as ksqlDB shows it


def test_record_key_schema_becomes_one_struct_rowkey(engine):
    engine.create_topic("t")
    register(engine, "t-key", {"type": "record", "name": "K", "fields": [
        {"name": "F1", "type": "string"}]})
    register(engine, "t-value", PAYMENT)
    engine.execute("CREATE STREAM s WITH (KAFKA_TOPIC='t', FORMAT='AVRO');")
    keys = [(c.name, str(c.type)) for c in engine.catalog.sources["S"].key_columns]
    assert keys == [("ROWKEY", "STRUCT<`F1` STRING>")]
