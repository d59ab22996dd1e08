"""Kafka's default partitioner for keyed records: ``toPositive(murmur2(key)) % n``.

The hash is Java's ``Utils.murmur2`` (seed 0x9747b28c) computed on 32-bit two's-complement
ints, so the same key lands on the same partition as with a real Kafka producer. A null key
gets no partition here: the broker chooses (sticky / round robin).
"""

from __future__ import annotations

_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash of ``data`` as a signed 32-bit int (as Java returns it)."""
    length = len(data)
    h = (0x9747B28C ^ length) & _MASK
    end4 = length & ~3
    for i in range(0, end4, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    rest = length & 3
    if rest == 3:
        h ^= data[end4 + 2] << 16
    if rest >= 2:
        h ^= data[end4 + 1] << 8
    if rest >= 1:
        h ^= data[end4]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


_POSITIVE: dict[bytes, int] = {}          # key bytes -> toPositive(murmur2(key)), memoized
_CACHE_MAX = 200_000


def default_partition(key: bytes | None, num_partitions: int) -> int | None:
    """The partition Kafka's default partitioner gives ``key``; None for a null key. The hash
    of a key is memoized (it is a pure function of the bytes, so this is exact): streams
    re-key by user or item ids, which repeat."""
    if key is None:
        return None
    if key.__class__ is not bytes:
        key = bytes(key)
    h = _POSITIVE.get(key)
    if h is None:
        h = murmur2(key) & 0x7FFFFFFF
        if len(_POSITIVE) >= _CACHE_MAX:
            _POSITIVE.clear()
        _POSITIVE[key] = h
    return h % num_partitions
