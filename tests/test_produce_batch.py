"""Engine.produce_batch writes what a loop of Engine.produce writes: records, partitions, order."""

import json

import pytest

from ksql_magic import Engine


def _as_written(engine, topic):
    """Each partition's records as (partition, offset, timestamp, key, value, headers, seq)."""
    parts = engine.broker.topic(topic).partitions
    return [(r.partition, r.offset, r.timestamp, r.key, r.value, r.headers, r.seq)
            for p in range(parts) for r in engine.broker.fetch(topic, p, 0, 10_000)]


def _fed_both_ways(values, keys=None, timestamps=None, partitions=3, partition=None):
    loop, batch = Engine(), Engine()
    for e in (loop, batch):
        e.create_topic("trips", partitions)
    for i, v in enumerate(values):
        loop.produce("trips", v, key=None if keys is None else keys[i],
                     timestamp=None if timestamps is None else timestamps[i], partition=partition)
    batch.produce_batch("trips", values, keys=keys, timestamps=timestamps, partition=partition)
    return loop, batch


def test_batch_matches_a_produce_loop_across_partitions():
    values = [json.dumps({"FARE": i}) for i in range(40)]
    keys = ["rider-%d" % (i % 7) for i in range(40)]
    stamps = [1000 + 3 * i for i in range(40)]
    loop, batch = _fed_both_ways(values, keys, stamps)
    assert _as_written(batch, "trips") == _as_written(loop, "trips")
    assert len({r[0] for r in _as_written(batch, "trips")}) > 1      # really spread


def test_null_keys_share_the_round_robin_of_a_loop():
    values = [b"v%d" % i for i in range(9)]
    keys = [None, b"a", None, None, b"b", None, b"a", None, None]
    loop, batch = _fed_both_ways(values, keys, list(range(9)))
    assert _as_written(batch, "trips") == _as_written(loop, "trips")


def test_explicit_partition_takes_every_record():
    loop, batch = _fed_both_ways([b"x", b"y"], [b"k1", b"k2"], [5, 6], partition=2)
    assert [r[0] for r in _as_written(batch, "trips")] == [2, 2]
    assert _as_written(batch, "trips") == _as_written(loop, "trips")


def test_missing_timestamps_are_now():
    with Engine() as engine:
        engine.produce_batch("pings", ["a", "b"])
        stamps = [r.timestamp for r in engine.records("pings")]
        single = engine.produce("pings", "c").timestamp
    assert all(abs(single - ts) < 60_000 for ts in stamps)


def test_strings_are_encoded_and_a_missing_topic_is_created():
    with Engine() as engine:
        assert engine.produce_batch("notes", ["héllo", b"raw", None], keys=["k", None, "k"],
                                    timestamps=[1, 2, 3]) == 3
        recs = engine.records("notes")
    assert [(r.key, r.value) for r in recs] == [(b"k", "héllo".encode()), (None, b"raw"), (b"k", None)]


def test_lengths_must_agree():
    with Engine() as engine:
        with pytest.raises(ValueError, match="2 values but 1 keys"):
            engine.produce_batch("t", [b"a", b"b"], keys=[b"k"])


def test_drain_sees_batches_in_produce_order_across_topics():
    """A table row batched before a stream batch is there when the stream rows join."""
    def run(batched: bool):
        engine = Engine({"auto.offset.reset": "earliest"})
        engine.execute("CREATE TABLE riders (id VARCHAR PRIMARY KEY, city VARCHAR) WITH ("
                       "KAFKA_TOPIC='riders', VALUE_FORMAT='JSON', PARTITIONS=1);")
        engine.execute("CREATE STREAM rides (rider VARCHAR KEY, km INT) WITH ("
                       "KAFKA_TOPIC='rides', VALUE_FORMAT='JSON', PARTITIONS=1);")
        engine.execute("CREATE STREAM placed AS SELECT r.rider, r.km, u.city FROM rides r "
                       "LEFT JOIN riders u ON r.rider = u.id EMIT CHANGES;")
        steps = [("riders", [b'{"CITY":"Oslo"}'], [b"ann"], [1]),
                 ("rides", [b'{"KM":3}', b'{"KM":4}'], [b"ann", b"bob"], [2, 3]),
                 ("riders", [b'{"CITY":"Rome"}', b'{"CITY":"Lima"}'], [b"ann", b"bob"], [4, 5]),
                 ("rides", [b'{"KM":5}', b'{"KM":6}'], [b"ann", b"bob"], [6, 7])]
        for topic, values, keys, stamps in steps:
            if batched:
                engine.produce_batch(topic, values, keys=keys, timestamps=stamps)
            else:
                for v, k, ts in zip(values, keys, stamps):
                    engine.produce(topic, v, key=k, timestamp=ts)
        engine.drain()
        out = [json.loads(r.value)["CITY"] for r in engine.records("PLACED")]
        engine.close()
        return out

    assert run(batched=True) == run(batched=False) == ["Oslo", None, "Rome", "Lima"]
