"""The brokers' fast Record constructor builds exactly what the dataclass constructor builds."""

from ksql_magic.brokers.base import Record, new_record


def test_fast_record_equals_the_dataclass_record():
    fields = ("t", 1, 2, 3, b"k", None, (("h", b"v"),))
    fast, slow = new_record(*fields), Record(*fields)
    assert fast == slow and hash(fast) == hash(slow) and vars(fast) == vars(slow)


def test_fast_record_carries_its_seq_without_it_counting_for_equality():
    fast = new_record("t", 0, 0, 0, None, b"v", (), (7,))
    assert fast.seq == (7,) and fast == Record("t", 0, 0, 0, None, b"v")
