"""Joins that re-key (an expression or a value column) and ksqlDB's co-partitioning rule.

A key-to-key join reads both topics partition by partition, so their partition counts must
match (ksqlDB's error otherwise). A join on anything else re-partitions first, so any counts
are fine and each output row lands where Kafka's partitioner puts its new key.
"""

import json
import struct

import pytest

from ksql_magic.brokers.partitioner import default_partition
from ksql_magic.engine import Engine
from ksql_magic.errors import KsqlStatementError


@pytest.fixture
def engine():
    e = Engine()
    e.execute("CREATE STREAM s (id INT KEY, name STRING, amount INT) "
              "WITH (kafka_topic='s', value_format='JSON', partitions=4);")
    e.execute("CREATE TABLE t (id INT PRIMARY KEY, region STRING) "
              "WITH (kafka_topic='t', value_format='JSON', partitions=2);")
    e.execute("CREATE TABLE tiers (name STRING PRIMARY KEY, tier STRING) "
              "WITH (kafka_topic='tiers', value_format='JSON', partitions=3);")
    e.execute("CREATE STREAM s2 (id INT KEY, name STRING) "
              "WITH (kafka_topic='s2', value_format='JSON', partitions=2);")
    yield e
    e.close()


def _put(e, topic, key, value, ts):
    """KAFKA-format INT key (4 bytes, big-endian), JSON value."""
    e.broker.produce(topic, struct.pack(">i", key), json.dumps(value).encode(), ts, 0)


def test_key_to_key_join_with_different_partition_counts_is_rejected(engine):
    with pytest.raises(KsqlStatementError, match=r"Can't join `S` with `T` since the number of "
                                                 r"partitions don't match\. `S` partitions = 4; "
                                                 r"`T` partitions = 2\. Please repartition"):
        engine.execute("CREATE STREAM j AS SELECT s.id, region FROM s JOIN t ON s.id = t.id;")


def test_stream_stream_key_join_with_different_partition_counts_is_rejected(engine):
    with pytest.raises(KsqlStatementError, match="`S` partitions = 4; `S2` partitions = 2"):
        engine.execute("CREATE STREAM j AS SELECT s.id, s2.name FROM s JOIN s2 WITHIN 1 MINUTE "
                       "ON s.id = s2.id;")


def test_value_column_join_repartitions_and_lands_rows_by_the_new_key(engine):
    engine.execute("CREATE STREAM j AS SELECT s.name, tier, amount FROM s JOIN tiers "
                   "ON s.name = tiers.name;")
    engine.broker.produce("tiers", b"ann", b'{"TIER":"gold"}', 1, 0)
    engine.broker.produce("tiers", b"bob", b'{"TIER":"tin"}', 1, 1)
    for i, name in enumerate(["ann", "bob", "cy", "ann"]):
        _put(engine, "s", i, {"NAME": name, "AMOUNT": i * 10}, 10 + i)
    engine.drain()
    out = engine.records("J")
    got = sorted((r.key.decode(), json.loads(r.value)["TIER"], json.loads(r.value)["AMOUNT"]) for r in out)
    assert got == [("ann", "gold", 0), ("ann", "gold", 30), ("bob", "tin", 10)]
    parts = engine.broker.topic("J").partitions
    assert all(r.partition == default_partition(r.key, parts) for r in out)


def test_expression_join_matches_on_the_computed_value_across_partition_counts(engine):
    engine.execute("CREATE STREAM j AS SELECT ROWKEY AS k, s.amount, s2.id FROM s JOIN s2 "
                   "WITHIN 1 MINUTE ON UCASE(s.name) = UCASE(s2.name);")
    _put(engine, "s", 1, {"NAME": "Ann", "AMOUNT": 5}, 1000)
    _put(engine, "s2", 9, {"NAME": "ANN"}, 2000)
    _put(engine, "s2", 8, {"NAME": "bob"}, 2000)
    _put(engine, "s2", 7, {"NAME": "ann"}, 120_000)      # outside WITHIN 1 MINUTE
    engine.drain()
    got = [(r.key.decode(), json.loads(r.value)) for r in engine.records("J")]
    assert got == [("ANN", {"AMOUNT": 5, "S2_ID": 9})]


def test_join_on_key_plus_expression_is_a_rekey_not_a_copartition_error(engine):
    engine.execute("CREATE STREAM j AS SELECT s.id, s2.name FROM s JOIN s2 WITHIN 1 MINUTE "
                   "ON s.id = s2.id + 1;")
    _put(engine, "s", 3, {"NAME": "x", "AMOUNT": 1}, 1000)
    _put(engine, "s2", 2, {"NAME": "two"}, 1500)
    engine.drain()
    assert [(r.key, json.loads(r.value)) for r in engine.records("J")] == [(struct.pack(">i", 3), {"S2_NAME": "two"})]
