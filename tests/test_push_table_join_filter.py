"""A table-table join with WHERE writes a tombstone only for a key whose last result passed.

The filter after a Kafka Streams table join sees the old result as well as the new one and
forwards nothing when both fail; so a key that never passed WHERE leaves no tombstones in the
output, and a key that passed and then fails (or loses a side) gets exactly one.
"""

import json
import struct

import pytest

from ksql_magic.engine import Engine


@pytest.fixture
def engine():
    e = Engine({"auto.offset.reset": "earliest"})
    e.execute("CREATE TABLE accounts (id INT PRIMARY KEY, owner STRING) "
              "WITH (kafka_topic='accounts', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE balances (id INT PRIMARY KEY, amount INT) "
              "WITH (kafka_topic='balances', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE rich AS SELECT a.id, owner, amount FROM accounts a "
              "JOIN balances b ON a.id = b.id WHERE b.amount > 100;")
    yield e
    e.close()


def _put(e, topic, key, value, ts):
    vb = None if value is None else json.dumps(value).encode()
    e.broker.produce(topic, struct.pack(">i", key), vb, ts, 0)


def _output(e):
    e.drain()
    return [(struct.unpack(">i", r.key)[0], None if r.value is None else json.loads(r.value))
            for r in e.records("RICH")]


def test_key_that_never_passes_where_writes_nothing(engine):
    _put(engine, "accounts", 1, {"OWNER": "ann"}, 1)
    _put(engine, "balances", 1, {"AMOUNT": 5}, 2)
    _put(engine, "balances", 1, {"AMOUNT": 7}, 3)
    assert _output(engine) == []


def test_key_that_stops_passing_where_gets_one_tombstone(engine):
    _put(engine, "accounts", 2, {"OWNER": "bob"}, 1)
    _put(engine, "balances", 2, {"AMOUNT": 500}, 2)
    _put(engine, "balances", 2, {"AMOUNT": 50}, 3)
    _put(engine, "balances", 2, {"AMOUNT": 40}, 4)
    assert _output(engine) == [(2, {"OWNER": "bob", "AMOUNT": 500}), (2, None)]


def test_losing_a_side_after_failing_where_writes_nothing(engine):
    _put(engine, "accounts", 3, {"OWNER": "cy"}, 1)
    _put(engine, "balances", 3, {"AMOUNT": 1}, 2)
    _put(engine, "balances", 3, None, 3)
    assert _output(engine) == []


def test_losing_a_side_after_passing_where_writes_a_tombstone(engine):
    _put(engine, "accounts", 4, {"OWNER": "di"}, 1)
    _put(engine, "balances", 4, {"AMOUNT": 900}, 2)
    _put(engine, "accounts", 4, None, 3)
    assert _output(engine) == [(4, {"OWNER": "di", "AMOUNT": 900}), (4, None)]
