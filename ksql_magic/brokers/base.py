"""The broker seam: the small protocol every broker implements, and the Record it carries.

Brokers move bytes only; they know nothing of schemas, formats or queries. The embedded
in-memory broker (``memory.py``) is the default and the twin the tests use; ``kafka.py`` is
the only module that imports a Kafka client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Protocol, Sequence


Headers = tuple[tuple[str, Optional[bytes]], ...]


@dataclass(frozen=True)
class Record:
    """One Kafka record as written. ``window`` is filled in by the engine for topics it knows
    hold windowed keys (decoded from ksqlDB's windowed-key bytes); brokers leave it None.
    ``seq`` orders records produced across topics (the embedded broker's global counter)."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: Optional[bytes]
    value: Optional[bytes]
    headers: Headers = ()
    window: Optional[tuple[int, int]] = None
    seq: tuple = field(default=(), compare=False, repr=False)


_new = object.__new__


def new_record(topic, partition, offset, timestamp, key, value, headers=(), seq=()) -> Record:
    """A Record for the fetch hot paths of every broker: the frozen dataclass's __init__ sets
    each field through ``object.__setattr__`` (2-3x slower); filling ``__dict__`` builds the
    same object (same fields, equality and hash; checked by tests/test_record.py)."""
    r = _new(Record)
    d = r.__dict__
    d["topic"], d["partition"], d["offset"], d["timestamp"] = topic, partition, offset, timestamp
    d["key"], d["value"], d["headers"], d["window"], d["seq"] = key, value, headers, None, seq
    return r


@dataclass(frozen=True)
class TopicInfo:
    name: str
    partitions: int
    replicas: int = 1
    config: tuple[tuple[str, str], ...] = ()


class BrokerError(Exception):
    """The broker cannot be reached or refused an operation (the engine wraps it for users)."""


class Broker(Protocol):
    """What the engine needs from a broker. Offsets are per partition, from 0."""

    def create_topic(self, name: str, partitions: int = 1, replicas: int = 1,
                     config: Optional[dict] = None) -> TopicInfo: ...

    def delete_topic(self, name: str) -> None: ...

    def topic(self, name: str) -> Optional[TopicInfo]:
        """The topic's description, or None if it does not exist."""

    def list_topics(self) -> list[TopicInfo]: ...

    def produce(self, topic: str, key: Optional[bytes], value: Optional[bytes],
                timestamp: Optional[int] = None, partition: Optional[int] = None,
                headers: Headers = ()) -> Record:
        """Append one record; partition None means Kafka's default partitioner."""

    def produce_batch(self, records: Sequence[tuple]) -> None:
        """Append many (topic, partition, key, value, timestamp, headers) tuples; the
        partition is already chosen. Returns once all are acknowledged."""

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500) -> list[Record]:
        """Records of one partition from ``offset`` on (may be fewer than exist)."""

    def records(self, topic: str) -> list[Record]:
        """Every record of a topic, by partition then offset (tests and display)."""

    def commit_offsets(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        """Record a consumer group's next offsets per (topic, partition) (Kafka semantics:
        the committed offset is the next record to read)."""

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        """A consumer group's committed offsets for one topic, by partition (missing = none)."""

    def close(self) -> None: ...
