"""Engine.produce with Python objects writes what INSERT VALUES writes, in any format."""

import warnings

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from ksql_magic import Engine, KsqlError  # noqa: E402


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    yield e
    e.close()


def declare(engine, fmt, extra=""):
    engine.execute("CREATE STREAM s (ID INT KEY, NAME STRING, PRICE DECIMAL(6, 2), QTY BIGINT) "
                   "WITH (KAFKA_TOPIC='t', FORMAT='%s', PARTITIONS=1%s);" % (fmt, extra))


@pytest.mark.parametrize("fmt", ["JSON", "DELIMITED", "AVRO", "JSON_SR"])
def test_object_bytes_equal_insert_values_bytes(engine, fmt):
    declare(engine, fmt)
    engine.execute("INSERT INTO s (ID, NAME, PRICE, QTY) VALUES (7, 'pen', 1.50, 3);")
    engine.produce("t", value={"name": "pen", "PRICE": 1.5, "qty": 3}, key=7)
    first, second = engine.records("t")
    assert (second.key, second.value) == (first.key, first.value)


def test_kafka_format_scalar_value(engine):
    engine.execute("CREATE STREAM k (N BIGINT) WITH (KAFKA_TOPIC='k', VALUE_FORMAT='KAFKA', "
                   "PARTITIONS=1);")
    engine.produce("k", value=5)
    assert engine.records("k")[0].value == (5).to_bytes(8, "big")


def test_unwrapped_single_value_takes_a_bare_scalar(engine):
    engine.execute("CREATE STREAM w (N INT) WITH (KAFKA_TOPIC='w', VALUE_FORMAT='JSON', "
                   "WRAP_SINGLE_VALUE=false, PARTITIONS=1);")
    engine.produce("w", value=12)
    assert engine.records("w")[0].value == b"12"


def test_bytes_and_str_stay_raw(engine):
    declare(engine, "AVRO")
    engine.produce("t", value='{"NAME": "raw"}', key=b"\x01")
    rec = engine.records("t")[0]
    assert (rec.key, rec.value) == (b"\x01", b'{"NAME": "raw"}')


def test_avro_object_is_read_back_by_a_query(engine):
    declare(engine, "AVRO")
    engine.produce("t", value={"NAME": "pen", "PRICE": 2, "QTY": 1}, key=1)
    rows = engine.execute("SELECT ID, NAME, PRICE, QTY FROM s;")[0].rows
    assert [[r[0], r[1], str(r[2]), r[3]] for r in rows] == [[1, "pen", "2.00", 1]]


def test_topic_without_a_source_cannot_take_objects(engine):
    engine.create_topic("bare")
    with pytest.raises(KsqlError, match="No stream or table is declared on topic 'bare'"):
        engine.produce("bare", value={"A": 1})


def test_keys_naming_no_column_are_left_out(engine):
    declare(engine, "JSON")
    engine.produce("t", value={"NAME": "pen", "ID": 9, "COLOR": "red"}, key=1)
    assert engine.records("t")[0].value == b'{"NAME":"pen","PRICE":null,"QTY":null}'


def test_value_of_the_wrong_type_is_refused(engine):
    declare(engine, "AVRO")
    with pytest.raises(KsqlError, match="QTY"):
        engine.produce("t", value={"QTY": [1]}, key=1)


def test_header_columns_read_beside_an_avro_value(engine):
    engine.execute("CREATE STREAM h (ID INT, ALL_H ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, "
                   "SRC BYTES HEADER('source')) WITH (KAFKA_TOPIC='h', VALUE_FORMAT='AVRO', "
                   "PARTITIONS=1);")
    engine.produce("h", value={"ID": 1}, headers={"source": b"web"})
    rows = engine.execute("SELECT ID, SRC, ALL_H FROM h;")[0].rows
    assert rows == [[1, b"web", [{"KEY": "source", "VALUE": b"web"}]]]


@pytest.mark.parametrize("fmt,shown", [("AVRO", '{"NAME":"pen","PRICE":"1.50","QTY":3}'),
                                       ("JSON_SR", '{"NAME":"pen","PRICE":1.50,"QTY":3}'),
                                       ("PROTOBUF", '{"NAME": "pen", "PRICE": {"value": "AJY=", '
                                                    '"precision": 3, "scale": 2}, "QTY": "3"}')])
def test_print_shows_registry_records_decoded(engine, fmt, shown):
    declare(engine, fmt)
    engine.produce("t", value={"NAME": "pen", "PRICE": 1.5, "QTY": 3}, key=7)
    rows = engine.execute("PRINT 't' FROM BEGINNING;")[0].rows
    assert rows[0][4] == shown
