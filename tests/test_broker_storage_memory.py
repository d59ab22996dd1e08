"""What the embedded broker keeps per record: about its payload, not a Python object (or an
encoder's buffer) per record. Measured with tracemalloc; the bound is the aim of issue 11,
2 x payload + 200 bytes per record, generous beside the ~50 bytes of overhead measured."""

import gc
import tracemalloc

from ksql_magic import Engine
from ksql_magic.brokers import memory
from ksql_magic.brokers.memory import MemoryBroker
from ksql_magic.serde.json_codec import dumps


def _retained_per_record(action, count_records) -> tuple[float, float]:
    """(traced bytes kept per record after ``action``, average key + value bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    n, payload = count_records()
    return kept / n, payload


def _payload(engine, topic):
    recs = engine.broker.records(topic)
    return len(recs), sum(len(r.key or b"") + len(r.value or b"") for r in recs) / len(recs)


def test_produced_records_cost_about_their_payload():
    engine = Engine()
    engine.create_topic("meters", 2)

    def produce():
        for i in range(20_000):
            engine.produce("meters", b'{"WATTS":%d,"ROOM":"r-%d"}' % (i, i % 40),
                           key=b"m-%d" % (i % 300), timestamp=i)
    per_record, payload = _retained_per_record(produce, lambda: _payload(engine, "meters"))
    assert per_record < 2 * payload + 200, (per_record, payload)


def test_a_json_query_output_is_stored_compactly():
    """orjson's output keeps a ~4 KB buffer; a topic of query output must not."""
    engine = Engine({"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM meters (id INT KEY, watts INT) WITH (KAFKA_TOPIC='meters', "
                   "VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.produce_batch("meters", [b'{"WATTS":%d}' % i for i in range(10_000)],
                         keys=[i.to_bytes(4, "big") for i in range(10_000)],
                         timestamps=range(10_000))

    def run():
        engine.execute("CREATE STREAM hot AS SELECT id, watts * 2 AS doubled FROM meters "
                       "WHERE watts > 10 EMIT CHANGES;")
        engine.drain()
    per_record, payload = _retained_per_record(run, lambda: _payload(engine, "HOT"))
    assert per_record < 2 * payload + 200, (per_record, payload)


def test_json_bytes_are_right_sized():
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [dumps({"N": i}) for i in range(2_000)]
        per_doc = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert kept[7] == b'{"N":7}' and per_doc < 200, per_doc


def test_columns_read_back_across_a_sealed_chunk():
    broker = MemoryBroker()
    broker.create_topic("t", 1)
    n = memory.CHUNK + 10
    for i in range(n):
        broker.produce("t", None if i % 3 else b"k%d" % i, b"v%d" % i, 100 + i, 0,
                       (("h", b"%d" % i),) if i in (0, memory.CHUNK) else ())
    lo = memory.CHUNK - 5
    got = broker.fetch("t", 0, lo, 20)
    assert [r.offset for r in got] == list(range(lo, n))
    assert [r.value for r in got] == [b"v%d" % i for i in range(lo, n)]
    assert [r.key for r in got] == [None if i % 3 else b"k%d" % i for i in range(lo, n)]
    assert [r.timestamp for r in got] == [100 + i for i in range(lo, n)]
    assert [r.headers for r in got if r.headers] == [(("h", b"%d" % memory.CHUNK),)]
    assert broker.fetch("t", 0, 0, 1)[0].headers == (("h", b"0"),)


def test_derived_seqs_of_any_length_read_back():
    broker = MemoryBroker()
    broker.create_topic("t", 1)
    first = broker.produce("t", None, b"in", 1, 0)
    second = broker.produce("t", None, b"out", 1, 0, _seq=first.seq)
    broker.produce_batch([("t", 0, None, b"out2", 1, (), second.seq)])
    seqs = [r.seq for r in broker.fetch("t", 0, 0)]
    assert seqs[0] == first.seq and len(seqs[0]) == 1
    assert seqs[1] == second.seq and seqs[1][:1] == first.seq
    assert seqs[2][:2] == second.seq and len(seqs[2]) == 3


def test_a_bulk_append_seals_chunks_like_single_appends():
    one, bulk = MemoryBroker(), MemoryBroker()
    for b in (one, bulk):
        b.create_topic("t", 1)
    n = 2 * memory.CHUNK + 7
    one.produce("t", b"first", b"0", 0, 0)
    for i in range(1, n):
        one.produce("t", b"k%d" % i, b"v%d" % i, i, 0)
    bulk.produce("t", b"first", b"0", 0, 0)
    bulk.produce_values("t", [b"v%d" % i for i in range(1, n)], [b"k%d" % i for i in range(1, n)],
                        list(range(1, n)))
    assert bulk._logs["t"][0].sealed == one._logs["t"][0].sealed == 2 * memory.CHUNK
    assert [(r.offset, r.key, r.value, r.timestamp, r.seq) for r in bulk.records("t")] == \
           [(r.offset, r.key, r.value, r.timestamp, r.seq) for r in one.records("t")]
