"""Engine.produce_batch on a real Kafka-protocol broker (Tansu): Kafka's partitioner for keys,
and drain() still takes the batches in the order they were produced across topics."""

import json
import uuid

import pytest

from ksql_magic import Engine
from ksql_magic.brokers.partitioner import default_partition
from kafka_support import *  # noqa: F401,F403  (fixtures)

pytestmark = [pytest.mark.kafka, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_batch_lands_where_kafkas_partitioner_puts_each_key(tansu, client):
    topic = "batch_%s" % uuid.uuid4().hex[:8]
    keys = [b"dev-%d" % i for i in range(12)]
    with Engine(bootstrap_servers=tansu, client=client, timeout=5.0) as engine:
        engine.create_topic(topic, 3)
        assert engine.produce_batch(topic, [b"v%d" % i for i in range(12)], keys=keys,
                                    timestamps=range(1000, 1012)) == 12
        recs = engine.records(topic)
    assert sorted(r.key for r in recs) == sorted(keys)
    assert all(r.partition == default_partition(r.key, 3) for r in recs)
    assert sorted((r.key, r.timestamp) for r in recs) == sorted(zip(keys, range(1000, 1012)))


def test_drain_follows_batch_order_across_topics(tansu, client):
    tag = uuid.uuid4().hex[:8]
    with Engine({"auto.offset.reset": "earliest"}, bootstrap_servers=tansu, client=client,
                timeout=5.0) as engine:
        engine.execute(f"CREATE TABLE owners_{tag} (id VARCHAR PRIMARY KEY, name VARCHAR) WITH ("
                       f"KAFKA_TOPIC='owners_{tag}', VALUE_FORMAT='JSON', PARTITIONS=1);"
                       f"CREATE STREAM pets_{tag} (owner VARCHAR KEY, pet VARCHAR) WITH ("
                       f"KAFKA_TOPIC='pets_{tag}', VALUE_FORMAT='JSON', PARTITIONS=1);"
                       f"CREATE STREAM named_{tag} AS SELECT p.owner, p.pet, o.name FROM pets_{tag} p "
                       f"LEFT JOIN owners_{tag} o ON p.owner = o.id EMIT CHANGES;")
        engine.produce_batch(f"owners_{tag}", [b'{"NAME":"Ada"}'], keys=[b"a"], timestamps=[1])
        engine.produce_batch(f"pets_{tag}", [b'{"PET":"cat"}'], keys=[b"a"], timestamps=[2])
        engine.produce_batch(f"owners_{tag}", [b'{"NAME":"Bo"}'], keys=[b"a"], timestamps=[3])
        engine.produce_batch(f"pets_{tag}", [b'{"PET":"dog"}'], keys=[b"a"], timestamps=[4])
        engine.drain()
        names = [json.loads(r.value)["NAME"] for r in engine.records(f"NAMED_{tag.upper()}")]
    assert names == ["Ada", "Bo"]
