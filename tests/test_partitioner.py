"""Kafka's default partitioner: Java murmur2, toPositive, modulo."""

import pytest

from ksql_magic.brokers.partitioner import default_partition, murmur2

# Vectors from Kafka's own UtilsTest.testMurmur2.
KAFKA_VECTORS = [
    (b"21", -973932308),
    (b"foobar", -790332482),
    (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    (b"abc", 479470107),
]


@pytest.mark.parametrize("data,expected", KAFKA_VECTORS)
def test_murmur2_matches_kafka_vectors(data, expected):
    assert murmur2(data) == expected


@pytest.mark.parametrize("key,partitions,expected", [
    (b"21", 4, (-973932308 & 0x7FFFFFFF) % 4),
    (b"foobar", 3, (-790332482 & 0x7FFFFFFF) % 3),
    (b"abc", 7, 479470107 % 7),
    (b"", 5, 275646681 % 5),
])
def test_default_partition_is_positive_hash_mod_partitions(key, partitions, expected):
    assert default_partition(key, partitions) == expected


def test_null_key_leaves_the_choice_to_the_broker():
    assert default_partition(None, 6) is None


def test_single_partition_is_always_zero():
    assert {default_partition(bytes([i]), 1) for i in range(256)} == {0}
