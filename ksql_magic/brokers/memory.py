"""The embedded in-memory broker: the default, needing no set-up.

Topics are lists of records per partition, offsets count from 0, and every record also gets
a global sequence number so ``Engine.drain()`` can replay input in the order it was produced
across topics (the order ksqlDB's own tests rely on). Thread-safe: the notebook's background
runner and the user's cell may produce at the same time.

A log holds plain tuples (the Record's fields), made into Records when fetched, sealed in
chunks of ``CHUNK`` tuples: tuples of bytes, ints and strings (and tuples of those) are
invisible to Python's cycle collector, so a million stored records are not rescanned by every
full collection (which took over a third of a 1M-record join's time).
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Optional, Sequence

from .base import BrokerError, Headers, Record, TopicInfo, new_record
from .partitioner import default_partition


CHUNK = 4096


class _Log:
    """One partition's records (field tuples): sealed chunks (tuples) plus an open tail."""
    __slots__ = ("chunks", "tail", "sealed")

    def __init__(self):
        self.chunks: list[tuple] = []
        self.tail: list[tuple] = []
        self.sealed = 0                   # records in chunks

    def __len__(self) -> int:
        return self.sealed + len(self.tail)

    def append(self, fields: tuple) -> None:
        tail = self.tail
        tail.append(fields)
        if len(tail) >= CHUNK:
            self.chunks.append(tuple(tail))
            self.sealed += len(tail)
            self.tail = []

    def slice(self, start: int, stop: int) -> list:
        """Field tuples at offsets [start, stop)."""
        stop = min(stop, len(self))
        out: list = []
        while start < stop:
            if start >= self.sealed:
                out += self.tail[start - self.sealed:stop - self.sealed]
                break
            chunk = self.chunks[start // CHUNK]
            lo = start % CHUNK
            part = chunk[lo:lo + (stop - start)]
            out += part
            start += len(part)
        return out

    def __iter__(self):
        for chunk in self.chunks:
            yield from chunk
        yield from self.tail


class MemoryBroker:
    """A Kafka-like broker living in the kernel's memory."""

    supports_seq = True

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._topics: dict[str, TopicInfo] = {}
        self._logs: dict[str, list[_Log]] = {}   # topic -> partition -> Record fields
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
            self.new_data.notify_all()
            return rec

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
                log = parts[partition]
                n = next(seq_counter)
                log.append((topic, partition, len(log), int(timestamp), key, value,
                            tuple(headers) if headers else (), (n,) if seq is None else seq + (n,)))
            self.new_data.notify_all()

    def _append(self, topic, partition, key, value, timestamp, headers, seq) -> Record:
        """Append one record (lock held): partition choice, range check, sequence number."""
        info = self._topics.get(topic)
        if info is None:
            raise BrokerError("Topic '%s' does not exist" % topic)
        if partition is None:
            partition = default_partition(key, info.partitions)
            if partition is None:
                partition = next(self._round_robin) % info.partitions
        if not 0 <= partition < info.partitions:
            raise BrokerError("Partition %d out of range for topic %s (%d partitions)"
                              % (partition, topic, info.partitions))
        log = self._logs[topic][partition]
        ts = int(time.time() * 1000) if timestamp is None else int(timestamp)
        n = next(self._seq)
        fields = (topic, partition, len(log), ts, key, value, tuple(headers or ()),
                  (n,) if seq is None else seq + (n,))
        log.append(fields)
        return new_record(*fields)

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500) -> list[Record]:
        logs = self._logs.get(topic)
        if logs is None or partition >= len(logs):
            return []
        return [new_record(*f) for f in logs[partition].slice(offset, offset + max_records)]

    def end_offset(self, topic: str, partition: int) -> int:
        logs = self._logs.get(topic)
        return len(logs[partition]) if logs is not None and partition < len(logs) else 0

    def records(self, topic: str) -> list[Record]:
        with self._lock:
            return [new_record(*f) for part in self._logs.get(topic, ()) for f in part]

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
