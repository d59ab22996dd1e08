"""The embedded in-memory broker: the default, needing no set-up.

Topics are lists of records per partition, offsets count from 0, and every record also gets
a global sequence number so ``Engine.drain()`` can replay input in the order it was produced
across topics (the order ksqlDB's own tests rely on). Thread-safe: the notebook's background
runner and the user's cell may produce at the same time.

Storage is columnar, one ``_Log`` per partition, and Records are made only when fetched: a
stored record costs its key and value ``bytes`` plus about 40 bytes of columns (timestamps
and sequence numbers in ``array('q')``, headers only when a record has some), where one
Python object per record cost ~300 bytes more. Keys and values are sealed in tuples of
``CHUNK``: tuples of bytes are invisible to Python's cycle collector, so a million stored
records are not rescanned by every full collection (which took over a third of a 1M-record
join's time when they were in lists).
"""

from __future__ import annotations

import itertools
import threading
import time
from array import array
from itertools import repeat
from typing import Optional, Sequence

from .base import BrokerError, Headers, Record, TopicInfo, new_record
from .partitioner import default_partition


CHUNK = 4096
_FRESH, _LONG = 0, -1              # ``_Log.parents``: seq is (n,), or kept whole in ``longer``


class _Log:
    """One partition's records as columns: keys and values (sealed chunks plus an open tail),
    timestamps, and each record's seq as its own number ``ns`` plus ``parents``: the input
    record's number for a query's output (seq ``(parent, n)``), ``_FRESH`` for a produced
    record (``(n,)``), ``_LONG`` for a longer seq, kept in ``longer`` by offset."""

    __slots__ = ("key_chunks", "value_chunks", "keys", "values", "sealed", "timestamps", "ns",
                 "parents", "longer", "headers")

    def __init__(self):
        self.key_chunks: list[tuple] = []
        self.value_chunks: list[tuple] = []
        self.keys: list = []              # the open tail
        self.values: list = []
        self.sealed = 0                   # records in chunks
        self.timestamps = array("q")
        self.ns = array("q")
        self.parents = array("q")
        self.longer: dict[int, tuple] = {}
        self.headers: dict[int, Headers] = {}

    def __len__(self) -> int:
        return len(self.ns)

    def append(self, key, value, timestamp: int, headers, n: int, after) -> tuple:
        """Append one record; ``after`` is the seq it extends (None or () for none).
        Returns its seq. The ``ns`` column is appended last: ``len`` never counts a
        half-written record."""
        offset = len(self.ns)
        if not after:
            seq, parent = (n,), _FRESH
        elif len(after) == 1 and after[0].__class__ is int and after[0] > 0:
            seq, parent = (after[0], n), after[0]
        else:
            seq, parent = after + (n,), _LONG
            self.longer[offset] = seq
        if headers:
            self.headers[offset] = tuple(headers)
        keys = self.keys
        keys.append(key)
        self.values.append(value)
        if len(keys) >= CHUNK:
            self.key_chunks.append(tuple(keys))
            self.value_chunks.append(tuple(self.values))
            self.sealed += len(keys)
            self.keys, self.values = [], []
        self.timestamps.append(timestamp)
        self.parents.append(parent)
        self.ns.append(n)
        return seq

    def extend(self, keys: list, values: list, timestamps: array, ns) -> None:
        """Append fresh records (no headers, seq ``(n,)``) a column at a time."""
        keys, values = self.keys + keys, self.values + values
        full = len(keys) - len(keys) % CHUNK
        for i in range(0, full, CHUNK):
            self.key_chunks.append(tuple(keys[i:i + CHUNK]))
            self.value_chunks.append(tuple(values[i:i + CHUNK]))
        self.sealed += full
        self.keys, self.values = keys[full:], values[full:]
        self.timestamps += timestamps
        self.parents += array("q", bytes(8 * len(timestamps)))
        self.ns += array("q", ns)

    def _column(self, chunks: list, tail: list, start: int, stop: int) -> list:
        out: list = []
        while start < stop:
            if start >= self.sealed:
                out += tail[start - self.sealed:stop - self.sealed]
                break
            chunk = chunks[start // CHUNK]
            lo = start % CHUNK
            part = chunk[lo:lo + (stop - start)]
            out += part
            start += len(part)
        return out

    def read(self, topic: str, partition: int, start: int, stop: int) -> list[Record]:
        """Records at offsets [start, stop), made from the columns (whole columns zipped at C
        speed where they allow: a fetch is on every query's hot path)."""
        stop = min(stop, len(self))
        if start >= stop:
            return []
        keys = self._column(self.key_chunks, self.keys, start, stop)
        values = self._column(self.value_chunks, self.values, start, stop)
        n = stop - start
        out = list(map(new_record, repeat(topic, n), repeat(partition, n), range(start, stop),
                       self.timestamps[start:stop], keys, values, repeat((), n),
                       self._seqs(start, stop)))
        if self.headers:
            for r in out:
                h = self.headers.get(r.offset)
                if h:
                    r.__dict__["headers"] = h
        return out

    def _seqs(self, start: int, stop: int):
        """The seq of each record in [start, stop): ``(n,)`` or ``(parent, n)`` or a longer one."""
        ns, parents = self.ns[start:stop], self.parents[start:stop]
        if not any(parents):
            return zip(ns)                          # all produced: (n,)
        if min(parents) > 0:
            return zip(parents, ns)                 # all outputs of produced records
        longer = self.longer
        return [(n,) if p == _FRESH else (p, n) if p > 0 else longer[off]
                for off, p, n in zip(range(start, stop), parents, ns)]


class MemoryBroker:
    """A Kafka-like broker living in the kernel's memory."""

    supports_seq = True

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._topics: dict[str, TopicInfo] = {}
        self._logs: dict[str, list[_Log]] = {}   # topic -> partition -> columns
        self._offsets: dict[str, dict[tuple[str, int], int]] = {}
        self._seq = itertools.count(1)
        self._round_robin = itertools.count()
        # Woken whenever a record is appended, so a background runner can sleep on it.
        self.new_data = threading.Condition(self._lock)

    # -- topics -----------------------------------------------------------------------------
    def create_topic(self, name: str, partitions: int = 1, replicas: int = 1,
                     config: Optional[dict] = None) -> TopicInfo:
        with self._lock:
            existing = self._topics.get(name)
            if existing is not None:
                return existing
            if partitions < 1:
                raise BrokerError("Invalid number of partitions %d for topic %s" % (partitions, name))
            info = TopicInfo(name, partitions, replicas, tuple(sorted((config or {}).items())))
            self._topics[name] = info
            self._logs[name] = [_Log() for _ in range(partitions)]
            return info

    def delete_topic(self, name: str) -> None:
        with self._lock:
            self._topics.pop(name, None)
            self._logs.pop(name, None)

    def topic(self, name: str) -> Optional[TopicInfo]:
        return self._topics.get(name)

    def list_topics(self) -> list[TopicInfo]:
        with self._lock:
            return sorted(self._topics.values(), key=lambda t: t.name)

    # -- records ----------------------------------------------------------------------------
    def produce(self, topic: str, key: Optional[bytes], value: Optional[bytes],
                timestamp: Optional[int] = None, partition: Optional[int] = None,
                headers: Headers = (), _seq: Optional[tuple] = None) -> Record:
        """``_seq`` (engine-internal) places a query's output right after the input record
        that caused it, so a drain processes derived records depth first, as ksqlDB's tests do."""
        with self._lock:
            rec = self._append(topic, partition, key, value, timestamp, headers, _seq)
            if getattr(self.new_data, "_waiters", True):
                self.new_data.notify_all()
            return rec

    def _wake(self) -> None:
        """Wake the runners waiting for records (lock held); skipped, as cheaply as CPython's
        Condition allows, when none waits (the common case of a script producing)."""
        cond = self.new_data
        if getattr(cond, "_waiters", True):
            cond.notify_all()

    def produce_batch(self, records: Sequence[tuple]) -> None:
        """Append (topic, partition, key, value, timestamp, headers[, seq]) tuples in order;
        the optional seq is the engine's ordering hint (see ``produce``). One lock and one
        wake-up for the whole batch; the common case (known topic, partition chosen) is inline."""
        if not records:
            return
        with self._lock:
            logs, topics = self._logs, self._topics
            seq_counter = self._seq
            last_topic, parts, info = None, None, None
            for rec in records:
                if len(rec) == 7:
                    topic, partition, key, value, timestamp, headers, seq = rec
                else:
                    topic, partition, key, value, timestamp, headers = rec[:6]
                    seq = rec[6] if len(rec) > 6 else None
                if topic != last_topic:
                    info = topics.get(topic)
                    if info is None:
                        raise BrokerError("Topic '%s' does not exist" % topic)
                    last_topic, parts = topic, logs[topic]
                if partition is None or not 0 <= partition < info.partitions or timestamp is None:
                    self._append(topic, partition, key, value, timestamp, headers, seq)
                    continue
                parts[partition].append(key, value, int(timestamp), headers, next(seq_counter), seq)
            self._wake()

    def produce_values(self, topic: str, values: Sequence, keys: Sequence,
                       timestamps: Sequence, partition: Optional[int] = None) -> None:
        """Append records as a loop of ``produce`` would (fresh seqs in the given order, the
        same partition choice), a column at a time: the bulk path of ``Engine.produce_batch``.
        ``timestamps`` are ints, or None entries for now."""
        with self._lock:
            info = self._topics.get(topic)
            if info is None:
                raise BrokerError("Topic '%s' does not exist" % topic)
            if partition is not None and not 0 <= partition < info.partitions:
                raise BrokerError("Partition %d out of range for topic %s (%d partitions)"
                                  % (partition, topic, info.partitions))
            stamps = _stamps(timestamps)
            first = next(self._seq)
            self._seq = itertools.count(first + len(values))
            logs = self._logs[topic]
            if partition is not None or info.partitions == 1:
                logs[partition or 0].extend(list(keys), list(values), stamps,
                                            range(first, first + len(values)))
            else:
                for p, idx in self._spread(keys, info.partitions).items():
                    logs[p].extend([keys[i] for i in idx], [values[i] for i in idx],
                                   array("q", [stamps[i] for i in idx]), [first + i for i in idx])
            self._wake()

    def _spread(self, keys: Sequence, partitions: int) -> dict[int, list[int]]:
        """The record indices each partition gets: Kafka's partitioner for a key, the broker's
        round robin for a null key (as ``_append`` chooses)."""
        out: dict[int, list[int]] = {}
        for i, key in enumerate(keys):
            p = default_partition(key, partitions)
            if p is None:
                p = next(self._round_robin) % partitions
            out.setdefault(p, []).append(i)
        return out

    def _append(self, topic, partition, key, value, timestamp, headers, seq) -> Record:
        """Append one record (lock held): partition choice, range check, sequence number."""
        info = self._topics.get(topic)
        if info is None:
            raise BrokerError("Topic '%s' does not exist" % topic)
        if partition is None:
            partition = 0 if info.partitions == 1 else default_partition(key, info.partitions)
            if partition is None:
                partition = next(self._round_robin) % info.partitions
        if not 0 <= partition < info.partitions:
            raise BrokerError("Partition %d out of range for topic %s (%d partitions)"
                              % (partition, topic, info.partitions))
        log = self._logs[topic][partition]
        ts = int(time.time() * 1000) if timestamp is None else int(timestamp)
        offset = len(log.ns)
        hdrs = tuple(headers) if headers else ()
        full_seq = log.append(key, value, ts, hdrs, next(self._seq), seq)
        return new_record(topic, partition, offset, ts, key, value, hdrs, full_seq)

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500) -> list[Record]:
        with self._lock:
            logs = self._logs.get(topic)
            if logs is None or partition >= len(logs):
                return []
            return logs[partition].read(topic, partition, offset, offset + max_records)

    def end_offset(self, topic: str, partition: int) -> int:
        logs = self._logs.get(topic)
        return len(logs[partition]) if logs is not None and partition < len(logs) else 0

    def records(self, topic: str) -> list[Record]:
        with self._lock:
            return [r for p, log in enumerate(self._logs.get(topic, ()))
                    for r in log.read(topic, p, 0, len(log))]

    # -- consumer groups --------------------------------------------------------------------
    def commit_offsets(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        with self._lock:
            self._offsets.setdefault(group, {}).update(offsets)

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        with self._lock:
            return {p: o for (t, p), o in self._offsets.get(group, {}).items() if t == topic}

    def status(self) -> str:
        return "connected"

    def close(self) -> None:
        pass


def _stamps(timestamps: Sequence) -> array:
    """Timestamps as ``array('q')``; None entries become now (epoch ms)."""
    try:
        return array("q", timestamps)
    except TypeError:
        now = int(time.time() * 1000)
        return array("q", [now if t is None else int(t) for t in timestamps])
