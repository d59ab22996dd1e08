"""The real-Kafka broker against Tansu: topics, exact bytes, fetch-until-empty, offsets.

Every test runs once per client library (kafka-python, and confluent-kafka when installed).
"""

import pytest

from ksql_magic.brokers.base import BrokerError, Record
from kafka_support import *  # noqa: F401,F403  (fixtures)

pytestmark = [pytest.mark.kafka,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_created_topic_is_listed_and_described(broker, topic_name):
    info = broker.create_topic(topic_name, partitions=3)
    assert (info.name, info.partitions) == (topic_name, 3)
    assert broker.topic(topic_name).partitions == 3
    assert topic_name in [t.name for t in broker.list_topics()]


def test_missing_topic_is_none(broker, topic_name):
    assert broker.topic(topic_name) is None


def test_deleted_topic_disappears(broker, topic_name):
    broker.create_topic(topic_name)
    broker.delete_topic(topic_name)
    assert topic_name not in [t.name for t in broker.list_topics()]


def test_creating_existing_topic_fails(broker, topic_name):
    broker.create_topic(topic_name)
    with pytest.raises(BrokerError, match="already exists"):
        broker.create_topic(topic_name)


def test_compacted_topic_can_be_created(broker, topic_name):
    info = broker.create_topic(topic_name, partitions=2, config={"cleanup.policy": "compact"})
    assert ("cleanup.policy", "compact") in info.config
    assert broker.topic(topic_name).partitions == 2


def test_produce_returns_written_record(broker, topic_name):
    broker.create_topic(topic_name, partitions=2)
    rec = broker.produce(topic_name, b"k", b"v", timestamp=1234, partition=1)
    assert (rec.partition, rec.offset, rec.timestamp, rec.key, rec.value) == (1, 0, 1234, b"k", b"v")


def test_fetch_returns_exact_bytes_headers_and_timestamps(broker, topic_name):
    broker.create_topic(topic_name)
    broker.produce(topic_name, b"\x00\xffkey", b"\x01value\x00", timestamp=1_600_000_000_000,
                   partition=0, headers=(("h1", b"a"), ("h2", b"\x00")))
    [r] = broker.fetch(topic_name, 0, 0)
    assert r == Record(topic_name, 0, 0, 1_600_000_000_000, b"\x00\xffkey", b"\x01value\x00",
                       (("h1", b"a"), ("h2", b"\x00")))


def test_null_key_and_null_value_round_trip(broker, topic_name):
    broker.create_topic(topic_name)
    broker.produce_batch([(topic_name, 0, None, b"v", 1, ()),
                          (topic_name, 0, b"k", None, 2, ()),
                          (topic_name, 0, None, None, 3, ())])
    got = [(r.key, r.value, r.timestamp) for r in broker.fetch(topic_name, 0, 0)]
    assert got == [(None, b"v", 1), (b"k", None, 2), (None, None, 3)]


def test_explicit_partitions_are_kept(broker, topic_name):
    broker.create_topic(topic_name, partitions=3)
    broker.produce_batch([(topic_name, p, b"k%d" % p, b"v", 10, ()) for p in (2, 0, 1, 2)])
    assert [len(broker.fetch(topic_name, p, 0)) for p in range(3)] == [1, 1, 2]


def _murmur2_partition(key: bytes, n: int) -> int:
    try:
        from ksql_magic.brokers.partitioner import default_partition
    except ImportError:
        from kafka.partitioner.default import murmur2
        return (murmur2(key) & 0x7FFFFFFF) % n
    return default_partition(key, n)


def test_keyed_record_without_partition_uses_murmur2(broker, topic_name):
    broker.create_topic(topic_name, partitions=4)
    keys = [b"k%d" % i for i in range(20)]
    assert ([broker.produce(topic_name, k, b"v").partition for k in keys]
            == [_murmur2_partition(k, 4) for k in keys])


def test_unkeyed_record_without_partition_lands_somewhere(broker, topic_name):
    broker.create_topic(topic_name, partitions=2)
    rec = broker.produce(topic_name, None, b"v")
    assert rec.partition in (0, 1)


def test_fetch_from_offset_and_max_records(broker, topic_name):
    broker.create_topic(topic_name)
    broker.produce_batch([(topic_name, 0, None, b"%d" % i, i, ()) for i in range(10)])
    assert [r.offset for r in broker.fetch(topic_name, 0, 4, max_records=3)] == [4, 5, 6]
    assert [r.offset for r in broker.fetch(topic_name, 0, 7)] == [7, 8, 9]
    assert broker.fetch(topic_name, 0, 10) == []


def test_fetch_at_end_returns_empty(broker, topic_name):
    broker.create_topic(topic_name)
    assert broker.fetch(topic_name, 0, 0) == []


def test_fetch_sees_records_produced_after_an_empty_fetch(broker, topic_name):
    broker.create_topic(topic_name)
    assert broker.fetch(topic_name, 0, 0) == []
    broker.produce(topic_name, b"k", b"v", partition=0)
    assert [r.value for r in broker.fetch(topic_name, 0, 0)] == [b"v"]


def test_records_reads_past_tansu_short_end_offset(broker, topic_name):
    """Tansu's end offset is the last batch's base offset + 1; a batch of many records must
    still be read to its true end."""
    broker.create_topic(topic_name, partitions=2)
    batch = [(topic_name, i % 2, b"k", b"%d" % i, i, ()) for i in range(5000)]
    broker.produce_batch(batch)
    got = broker.records(topic_name)
    assert len(got) == 5000
    assert [r.offset for r in got if r.partition == 0] == list(range(2500))


def test_records_of_missing_topic_fails(broker, topic_name):
    with pytest.raises(BrokerError, match="does not exist"):
        broker.records(topic_name)


def test_interleaved_fetches_across_partitions(broker, topic_name):
    broker.create_topic(topic_name, partitions=2)
    broker.produce_batch([(topic_name, i % 2, None, b"%d" % i, i, ()) for i in range(40)])
    positions, seen = {0: 0, 1: 0}, []
    while batch := broker.fetch(topic_name, 0, positions[0], 3) + broker.fetch(topic_name, 1, positions[1], 3):
        for r in batch:
            positions[r.partition] = r.offset + 1
            seen.append(int(r.value))
    assert sorted(seen) == list(range(40))


def test_committed_offsets_round_trip(broker, topic_name):
    broker.create_topic(topic_name, partitions=3)
    group = f"_confluent-ksql-default_query_CSAS_{topic_name.upper()}_0"
    broker.commit_offsets(group, {(topic_name, 0): 5, (topic_name, 2): 7})
    assert broker.committed_offsets(group, topic_name) == {0: 5, 2: 7}


def test_unknown_group_has_no_committed_offsets(broker, topic_name):
    broker.create_topic(topic_name)
    assert broker.committed_offsets("no_such_group_" + topic_name, topic_name) == {}


def test_status_is_connected(broker):
    assert broker.status() == "connected"


def test_end_offset_is_true_end_despite_tansu(broker, topic_name):
    broker.create_topic(topic_name)
    broker.produce_batch([(topic_name, 0, None, b"%d" % i, i, ()) for i in range(300)])
    assert broker.end_offset(topic_name, 0) == 300


def test_end_offset_of_empty_partition_is_zero(broker, topic_name):
    broker.create_topic(topic_name, partitions=2)
    assert broker.end_offset(topic_name, 1) == 0


def test_recreated_topic_reads_fresh_after_delete(broker, topic_name):
    broker.create_topic(topic_name)
    broker.produce(topic_name, None, b"old", partition=0)
    assert len(broker.fetch(topic_name, 0, 0)) == 1
    broker.delete_topic(topic_name)
    broker.create_topic(topic_name)
    broker.produce(topic_name, None, b"new", partition=0)
    assert [r.value for r in broker.records(topic_name)] == [b"new"]
