"""MemoryBroker.produce_batch: the sink's one call per batch keeps produce()'s semantics."""

import threading

import pytest

from ksql_magic.brokers.base import BrokerError, Record
from ksql_magic.brokers.memory import MemoryBroker
from ksql_magic.brokers.partitioner import default_partition, murmur2


@pytest.fixture
def broker():
    b = MemoryBroker()
    b.create_topic("a", partitions=3)
    b.create_topic("b", partitions=1)
    return b


def test_batch_offsets_count_from_zero_per_partition(broker):
    broker.produce_batch([("a", p, b"k", b"v%d" % i, i, ()) for i, p in enumerate((0, 1, 0, 2, 0))])
    assert [r.offset for r in broker.fetch("a", 0, 0)] == [0, 1, 2]
    assert [r.offset for r in broker.fetch("a", 1, 0)] == [0]
    assert [r.value for r in broker.fetch("a", 0, 0)] == [b"v0", b"v2", b"v4"]


def test_batch_records_equal_those_produce_writes(broker):
    one = broker.produce("b", b"k", b"v", 5, 0, (("h", b"x"),))
    broker.produce_batch([("b", 0, b"k", b"v", 5, (("h", b"x"),))])
    two = broker.fetch("b", 0, 1)[0]
    assert isinstance(two, Record)
    assert two == Record("b", 0, 1, 5, b"k", b"v", (("h", b"x"),))
    assert (one.topic, one.key, one.value, one.timestamp, one.headers) == \
           (two.topic, two.key, two.value, two.timestamp, two.headers)


def test_batch_seq_is_global_and_derived_records_extend_their_parent(broker):
    first = broker.produce("b", None, b"in", 1, 0)
    broker.produce_batch([("a", 0, b"k", b"x", 2, (), first.seq), ("b", 0, None, b"y", 3, (), None)])
    derived, external = broker.fetch("a", 0, 0)[0], broker.fetch("b", 0, 1)[0]
    assert derived.seq[:-1] == first.seq and len(derived.seq) == 2
    assert len(external.seq) == 1 and external.seq[0] > derived.seq[-1] > first.seq[0]


def test_batch_without_partition_uses_kafkas_partitioner(broker):
    broker.produce_batch([("a", None, b"user_7", b"v", 1, ())])
    (p,) = [p for p in range(3) if broker.fetch("a", p, 0)]
    assert p == (murmur2(b"user_7") & 0x7FFFFFFF) % 3 == default_partition(b"user_7", 3)


def test_batch_rejects_unknown_topic_and_bad_partition(broker):
    with pytest.raises(BrokerError, match="does not exist"):
        broker.produce_batch([("nope", 0, None, b"v", 1, ())])
    with pytest.raises(BrokerError, match="out of range"):
        broker.produce_batch([("a", 7, None, b"v", 1, ())])


def test_batch_wakes_a_waiting_reader_once_appended(broker):
    seen = []

    def wait():
        with broker.new_data:
            broker.new_data.wait_for(lambda: broker.end_offset("b", 0) >= 2, timeout=5)
            seen.append(broker.end_offset("b", 0))

    t = threading.Thread(target=wait)
    t.start()
    broker.produce_batch([("b", 0, None, b"1", 1, ()), ("b", 0, None, b"2", 2, ())])
    t.join(5)
    assert seen == [2]


def test_memoized_partition_matches_the_hash_for_repeated_keys():
    keys = [b"k%d" % (i % 50) for i in range(500)]
    assert [default_partition(k, 6) for k in keys] == [(murmur2(k) & 0x7FFFFFFF) % 6 for k in keys]
    assert default_partition(bytearray(b"k1"), 6) == default_partition(b"k1", 6)
