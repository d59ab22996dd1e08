"""Kafka has no order across topics; ProducedOrder remembers the order this process
produced records in, so drain() replays them as produced, as on the embedded broker."""

from ksql_magic.brokers.base import Record
from ksql_magic.brokers.produced_order import LOCAL, ProducedOrder
from ksql_magic.runtime.query import order_key


def _fetched(topic, partition, offsets, timestamp=0):
    return [Record(topic, partition, o, timestamp, None, b"v") for o in offsets]


def test_fetched_records_get_the_tags_noted_at_acknowledgement():
    order = ProducedOrder()
    first, second = order.new_tag(), order.new_tag()
    order.note("a", 0, 5, second)
    order.note("b", 0, 0, first)
    a, b = order.tag("a", 0, _fetched("a", 0, [5]))[0], order.tag("b", 0, _fetched("b", 0, [0]))[0]
    assert order_key(b) < order_key(a)


def test_a_record_another_producer_wrote_keeps_no_tag():
    order = ProducedOrder()
    order.note("a", 0, 1, order.new_tag())
    recs = order.tag("a", 0, _fetched("a", 0, [0, 1, 2]))
    assert [r.seq for r in recs] == [(), (LOCAL, 1), ()]


def test_an_output_sorts_right_after_its_input():
    order = ProducedOrder()
    inp, later = order.new_tag(), order.new_tag()
    out = order.new_tag(after=inp)
    assert inp < out < later


def test_tagged_and_untagged_keys_compare_without_error():
    order = ProducedOrder()
    order.note("a", 0, 0, order.new_tag(after=order.new_tag()))
    tagged = order.tag("a", 0, _fetched("a", 0, [0], timestamp=0))[0]
    other = _fetched("b", 0, [0], timestamp=0)[0]
    assert order_key(tagged) < order_key(other)


def test_acks_out_of_offset_order_are_kept_sorted():
    order = ProducedOrder()
    tags = [order.new_tag() for _ in range(3)]
    for offset in (2, 0, 1):
        order.note("a", 0, offset, tags[offset])
    assert [r.seq for r in order.tag("a", 0, _fetched("a", 0, [0, 1, 2]))] == tags


def test_memory_stays_bounded_by_dropping_the_oldest_tags():
    order = ProducedOrder(cap=10)
    for offset in range(25):
        order.note("a", 0, offset, order.new_tag())
    recs = order.tag("a", 0, _fetched("a", 0, range(25)))
    kept = [r.offset for r in recs if r.seq]
    assert len(kept) <= 10 and kept == list(range(25 - len(kept), 25))


def test_a_deleted_topic_forgets_its_tags():
    order = ProducedOrder()
    order.note("a", 0, 0, order.new_tag())
    order.forget("a")
    assert order.tag("a", 0, _fetched("a", 0, [0]))[0].seq == ()


def test_batch_tuples_are_tagged_fresh_after_their_input_or_not_at_all():
    order = ProducedOrder()
    row = ("t", 0, b"k", b"v", 1, ())
    fresh = order.batch_tag(row)
    after = order.batch_tag(row + (fresh,))
    assert fresh[0] == LOCAL and fresh < after < order.new_tag()
    assert order.batch_tag(row + (None,))[0] == LOCAL
    assert order.batch_tag(row + ((),)) == ()
