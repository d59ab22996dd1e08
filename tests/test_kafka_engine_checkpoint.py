"""Offset commits and changelog snapshots on the embedded broker (fast twins of the Kafka
tests): groups named as ksqlDB names them, restarts over the same broker, operator state."""

import json

import pytest

from ksql_magic import Engine
from ksql_magic.brokers.memory import MemoryBroker
from ksql_magic.runtime.changelog import ChangelogStore, snapshot
from ksql_magic.runtime.state_codec import StateEncodeError
from ksql_magic.runtime.checkpoint import changelog_topic, group_id

SQL = ("CREATE STREAM pay (id STRING KEY, amount INT) WITH (kafka_topic='pay', value_format='JSON');"
       "CREATE TABLE totals AS SELECT id, COUNT(*) AS n FROM pay GROUP BY id EMIT CHANGES;")
PROPS = {"auto.offset.reset": "earliest", "ksql.magic.state.changelog": "true"}


def _send(e, rows):
    for k, amount in rows:
        e.produce("pay", json.dumps({"amount": amount}), key=k, timestamp=1)


def _table(e):
    return {r.key: json.loads(r.value) for r in e.records("TOTALS")}


def test_group_and_changelog_names_follow_ksqldb():
    assert group_id("default_", "CTAS_T_0") == "_confluent-ksql-default_query_CTAS_T_0"
    assert changelog_topic("default_", "CTAS_T_0", "state") == \
        "_confluent-ksql-default_query_CTAS_T_0-state-changelog"


def test_drain_commits_the_next_offset():
    e = Engine(PROPS)
    e.create_topic("pay")
    e.execute(SQL)
    _send(e, [("a", 1), ("b", 2)])
    e.drain()
    assert e.broker.committed_offsets(group_id("default_", "CTAS_TOTALS_0"), "pay") == {0: 2}


def test_restart_over_the_same_broker_restores_state():
    broker = MemoryBroker()
    e = Engine(PROPS, broker=broker)
    e.create_topic("pay")
    e.execute(SQL)
    _send(e, [("a", 1), ("a", 2)])
    e.drain()
    e2 = Engine(PROPS, broker=broker)
    e2.execute(SQL)
    _send(e2, [("a", 3)])
    e2.drain()
    assert _table(e2)[b"a"] == {"N": 3}


def test_changelog_topic_is_compacted():
    e = Engine(PROPS)
    e.create_topic("pay")
    e.execute(SQL)
    _send(e, [("a", 1)])
    e.drain()
    info = e.broker.topic(changelog_topic("default_", "CTAS_TOTALS_0", "state"))
    assert dict(info.config)["cleanup.policy"] == "compact"


def test_embedded_broker_writes_no_changelog_by_default():
    e = Engine({"auto.offset.reset": "earliest"})
    e.create_topic("pay")
    e.execute(SQL)
    _send(e, [("a", 1)])
    e.drain()
    assert not [t for t in e.broker.list_topics() if t.name.endswith("-changelog")]


class _Op:
    def __init__(self):
        self.fn = lambda x: x
        self.groups = {"k": [1, 2]}


def test_operator_without_snapshot_methods_is_not_snapshotted_by_guesswork():
    with pytest.raises(StateEncodeError, match="_Op keeps state but has no snapshot_state"):
        snapshot(_Op())


def test_store_keeps_the_last_complete_snapshot():
    b = MemoryBroker()
    store = ChangelogStore(b, "cl")
    store.ensure_topic()
    store.save({"x": 1}, {(0, 0): 5})
    store.save({"x": 2}, {(0, 0): 9})
    assert ChangelogStore(b, "cl").load() == ({"x": 2}, {(0, 0): 9})


def test_failed_write_is_retried_before_more_input_is_read():
    e = Engine(PROPS)
    e.create_topic("pay")
    e.execute(SQL)
    q = e.queries["CTAS_TOTALS_0"]
    real = e.broker.produce_batch
    calls = {"n": 0}

    def flaky(batch):
        calls["n"] += 1
        if calls["n"] == 1:
            from ksql_magic.brokers.base import BrokerError
            raise BrokerError("broker x unreachable: Connection refused")
        real(batch)
    e.broker.produce_batch = flaky
    _send(e, [("a", 1)])
    try:
        e.drain()
    except Exception as err:  # noqa: BLE001
        assert "unreachable" in str(err)
    assert q.status()["broker"] == "unreachable: Connection refused"
    e.drain()
    assert _table(e) == {b"a": {"N": 1}} and q.status()["broker"] == "connected"


def test_in_place_upgrade_keeps_the_consumer_group_and_the_counts():
    """CREATE OR REPLACE keeps the query id, so the upgraded query commits to the same
    consumer group and continues the counts the old version made."""
    broker = MemoryBroker()
    e = Engine(PROPS, broker=broker)
    e.create_topic("pay")
    e.execute(SQL.replace("COUNT(*)", "COUNT(amount)"))
    _send(e, [("a", 1), ("a", -5)])
    e.drain()
    e.execute("CREATE OR REPLACE TABLE totals AS SELECT id, COUNT(amount) AS n FROM pay "
              "WHERE amount > 0 GROUP BY id EMIT CHANGES;")
    _send(e, [("a", -1), ("a", 3)])
    e.drain()
    assert _table(e)[b"a"] == {"N": 3}
    assert e.broker.committed_offsets(group_id("default_", "CTAS_TOTALS_0"), "pay") == {0: 4}
