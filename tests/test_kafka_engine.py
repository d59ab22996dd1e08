"""The engine on a real Kafka-protocol broker (Tansu): consumer groups per query, offsets
committed after the outputs, resuming and state restored after a restart, outages in status."""

import json
import uuid

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlError
from ksql_magic.runtime.checkpoint import changelog_topic, group_id
from kafka_support import *  # noqa: F401,F403  (fixtures)

pytestmark = [pytest.mark.kafka, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _engine(bootstrap, client, **props):
    props = {"auto.offset.reset": "earliest", "ksql.streams.commit.interval.ms": "0", **props}
    return Engine(props, bootstrap_servers=bootstrap, client=client, timeout=5.0)


def _statements(topic, sink):
    return (f"CREATE STREAM pay (id STRING KEY, amount INT) WITH (kafka_topic='{topic}', "
            f"value_format='JSON');"
            f"CREATE TABLE {sink} AS SELECT id, COUNT(*) AS n, SUM(amount) AS total FROM pay "
            f"GROUP BY id EMIT CHANGES;")


def _produce(engine, topic, rows):
    for i, (k, amount) in enumerate(rows):
        engine.produce(topic, json.dumps({"amount": amount}), key=k, timestamp=1000 + i)


def _table(engine, topic):
    out = {}
    for r in engine.records(topic):
        out[r.key] = None if r.value is None else json.loads(r.value)
    return out


@pytest.fixture
def names():
    tag = uuid.uuid4().hex[:8]
    return f"pay_{tag}", f"TOTALS_{tag.upper()}"


def test_query_commits_offsets_under_its_ksqldb_group(tansu, client, names):
    topic, sink = names
    with _engine(tansu, client) as e:
        e.create_topic(topic, 1)
        e.execute(f"CREATE STREAM pay (id STRING KEY, amount INT) WITH (kafka_topic='{topic}', "
                  f"value_format='JSON'); CREATE STREAM big_{sink} AS SELECT * FROM pay WHERE amount > 5;")
        _produce(e, topic, [("a", 1), ("b", 10), ("c", 20)])
        e.drain()
        qid = next(iter(e.queries))
        assert e.broker.committed_offsets(group_id("default_", qid), topic) == {0: 3}


def test_restarted_engine_resumes_from_committed_offsets(tansu, client, names):
    topic, _ = names
    sink = "OUT_" + topic.upper()
    sql = (f"CREATE STREAM pay (id STRING KEY, amount INT) WITH (kafka_topic='{topic}', "
           f"value_format='JSON'); CREATE STREAM {sink} AS SELECT * FROM pay;")
    with _engine(tansu, client) as e:
        e.create_topic(topic, 1)
        e.execute(sql)
        _produce(e, topic, [("a", 1), ("b", 2)])
        e.drain()
    with _engine(tansu, client) as e:
        e.execute(sql)
        _produce(e, topic, [("c", 3)])
        e.drain()
        assert [r.key for r in e.records(sink)] == [b"a", b"b", b"c"]


def test_restarted_aggregation_ends_with_the_same_table(tansu, client, names):
    topic, sink = names
    first, second = [("a", 1), ("b", 2), ("a", 3)], [("a", 10), ("c", 5)]
    with _engine(tansu, client) as e:
        e.create_topic(topic, 2)
        e.execute(_statements(topic, sink))
        _produce(e, topic, first)
        e.drain()
        qid = next(iter(e.queries))
    assert _has_compacted_changelog(tansu, client, qid)
    with _engine(tansu, client) as e:
        e.execute(_statements(topic, sink))
        _produce(e, topic, second)
        e.drain()
        table = _table(e, sink)
    assert table == {b"a": {"N": 3, "TOTAL": 14}, b"b": {"N": 1, "TOTAL": 2},
                     b"c": {"N": 1, "TOTAL": 5}}


def _has_compacted_changelog(bootstrap, client, qid) -> bool:
    from ksql_magic.brokers import connect
    b = connect(bootstrap, client=client, timeout=5.0)
    try:
        return b.topic(changelog_topic("default_", qid, "state")) is not None
    finally:
        b.close()


def test_service_id_names_the_group(tansu, client, names):
    topic, sink = names
    with _engine(tansu, client, **{"ksql.service.id": "svc_"}) as e:
        e.create_topic(topic, 1)
        e.execute(_statements(topic, sink))
        _produce(e, topic, [("a", 1)])
        e.drain()
        qid = next(iter(e.queries))
        assert e.broker.committed_offsets(f"_confluent-ksql-svc_query_{qid}", topic) == {0: 1}


def test_unknown_topic_gets_ksqldb_message(tansu, client):
    with _engine(tansu, client) as e:
        with pytest.raises(KsqlError, match="Topic 'nope_[0-9a-f]+' does not exist"):
            e.execute(f"CREATE STREAM s (id INT) WITH (kafka_topic='nope_{uuid.uuid4().hex[:6]}', "
                      f"value_format='JSON');")


def test_drain_follows_produce_order_across_topics_not_timestamps(tansu, client, names):
    """A table row produced before a stream row is there when the stream row is joined,
    even with a later timestamp -- drain()'s order on the embedded broker too."""
    tag = names[0]
    users, clicks, sink = f"users_{tag}", f"clicks_{tag}", f"ENRICHED_{tag.upper()}"
    with _engine(tansu, client) as e:
        e.create_topic(users, 1)
        e.create_topic(clicks, 1)
        e.execute(f"CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH "
                  f"(kafka_topic='{users}', value_format='JSON');"
                  f"CREATE STREAM clicks (id STRING KEY, url STRING) WITH "
                  f"(kafka_topic='{clicks}', value_format='JSON');"
                  f"CREATE STREAM {sink} AS SELECT c.id, c.url, u.name FROM clicks c "
                  f"LEFT JOIN users u ON c.id = u.id;")
        e.produce(users, json.dumps({"name": "ann"}), key="u1", timestamp=5000)
        e.produce(clicks, json.dumps({"url": "/a"}), key="u1", timestamp=1000)
        e.produce(users, json.dumps({"name": "bob"}), key="u1", timestamp=500)
        e.produce(clicks, json.dumps({"url": "/b"}), key="u1", timestamp=900)
        e.drain()
        assert [json.loads(r.value) for r in e.records(sink)] == [
            {"URL": "/a", "NAME": "ann"}, {"URL": "/b", "NAME": "bob"}]
