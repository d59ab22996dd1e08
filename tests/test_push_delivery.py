"""What a push query delivers, and what its LIMIT counts.

ksqlDB's LIMIT counts the rows its client receives: a stream's null-value record is not
sent, a table's delete is sent (as a tombstone row), and a table row failing WHERE is not
sent unless it removes a row the client has seen. A record without a key on a table's topic
is skipped by the table source (Kafka Streams), so no query over the table sees it.
"""

import json
import struct

import pytest

from ksql_magic.engine import Engine


@pytest.fixture
def engine():
    e = Engine({"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM readings (sensor INT KEY, level INT) "
              "WITH (kafka_topic='readings', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE stock (sku INT PRIMARY KEY, qty INT) "
              "WITH (kafka_topic='stock', value_format='JSON', partitions=1);")
    yield e
    e.close()


def _put(e, topic, key, value, ts):
    """KAFKA-format INT key (None: no key), JSON value (None: a null value)."""
    kb = None if key is None else struct.pack(">i", key)
    vb = None if value is None else json.dumps(value).encode()
    e.broker.produce(topic, kb, vb, ts, 0)


def _push(e, sql):
    handle = e.execute(sql)[0].handle
    e.drain()
    return handle


def _ops(handle):
    return [(c.op, c.row) for c in handle.changes(0)[1]]


def test_stream_limit_does_not_count_null_value_records(engine):
    _put(engine, "readings", 1, {"LEVEL": 5}, 1)
    _put(engine, "readings", 2, None, 2)
    _put(engine, "readings", 3, {"LEVEL": 7}, 3)
    handle = _push(engine, "SELECT * FROM readings EMIT CHANGES LIMIT 2;")
    assert [r["SENSOR"] for r in handle.rows] == [1, 3]
    assert handle.state == "DONE"


def test_table_limit_does_not_count_rows_failing_where_for_unseen_keys(engine):
    _put(engine, "stock", 1, {"QTY": 0}, 1)
    _put(engine, "stock", 2, {"QTY": 0}, 2)
    _put(engine, "stock", 3, {"QTY": 9}, 3)
    handle = _push(engine, "SELECT * FROM stock WHERE qty > 0 EMIT CHANGES LIMIT 1;")
    assert handle.rows == [{"SKU": 3, "QTY": 9}]


def test_table_row_leaving_where_is_delivered_as_delete_and_counted(engine):
    _put(engine, "stock", 4, {"QTY": 2}, 1)
    _put(engine, "stock", 4, {"QTY": 0}, 2)
    _put(engine, "stock", 5, {"QTY": 1}, 3)
    handle = _push(engine, "SELECT * FROM stock WHERE qty > 0 EMIT CHANGES LIMIT 2;")
    assert [op for op, _ in _ops(handle)] == ["upsert", "delete"]
    assert handle.state == "DONE"


def test_table_tombstone_deletes_row_when_key_is_projected(engine):
    _put(engine, "stock", 7, {"QTY": 3}, 1)
    _put(engine, "stock", 7, None, 2)
    handle = _push(engine, "SELECT * FROM stock EMIT CHANGES;")
    assert _ops(handle) == [("upsert", {"SKU": 7, "QTY": 3}), ("delete", {})]
    assert handle.rows == []


def test_table_tombstone_counts_toward_limit(engine):
    _put(engine, "stock", 7, {"QTY": 3}, 1)
    _put(engine, "stock", 7, None, 2)
    _put(engine, "stock", 8, {"QTY": 4}, 3)
    handle = _push(engine, "SELECT sku, qty FROM stock EMIT CHANGES LIMIT 2;")
    assert [op for op, _ in _ops(handle)] == ["upsert", "delete"]


def test_push_over_table_skips_records_without_key(engine):
    _put(engine, "stock", None, {"QTY": 6}, 1)
    _put(engine, "stock", 9, {"QTY": 2}, 2)
    handle = _push(engine, "SELECT * FROM stock EMIT CHANGES;")
    assert handle.rows == [{"SKU": 9, "QTY": 2}]


def test_table_record_without_key_is_not_a_deserialization_error(engine):
    _put(engine, "stock", None, {"QTY": 6}, 1)
    handle = _push(engine, "SELECT * FROM stock EMIT CHANGES;")
    assert handle.status()["deser_errors"] == 0


def test_persistent_query_over_table_skips_records_without_key(engine):
    engine.execute("CREATE TABLE stock_copy AS SELECT * FROM stock;")
    _put(engine, "stock", None, {"QTY": 6}, 1)
    _put(engine, "stock", 9, {"QTY": 2}, 2)
    engine.drain()
    out = engine.records("STOCK_COPY")
    assert [struct.unpack(">i", r.key)[0] for r in out] == [9]


def test_stream_keeps_records_without_key(engine):
    _put(engine, "readings", None, {"LEVEL": 1}, 1)
    handle = _push(engine, "SELECT * FROM readings EMIT CHANGES;")
    assert handle.rows == [{"SENSOR": None, "LEVEL": 1}]
