"""The order in which this process produced records, remembered across Kafka topics.

``Engine.drain()`` promises to process input in the order it was produced across topics
(ksqlDB's own tests rely on it: a table row produced before a stream row is there when the
stream row is joined). The embedded broker keeps a global sequence number for that. Kafka
has none: offsets order one partition only. But the records that matter for that promise
were written by this engine (``Engine.produce``, INSERT VALUES, its queries' sinks), so a
Kafka broker adapter notes each acknowledged record's sequence number here, by (topic,
partition, offset), and tags the records it fetches back with it.

A tag is ``(LOCAL, n, ...)``: ``LOCAL`` (minus infinity) sorts before any timestamp and equals
none, so tagged records (ordered among themselves by n) and untagged ones written by other
producers (ordered by timestamp, as Kafka Streams picks) compare without a type error; a
query's output extends its input's tag, ``input_tag + (n,)``, which places it right after
that input, as on the embedded broker.

Memory: at most ``cap`` tags per partition are kept (the oldest half is dropped beyond it);
a record whose tag was dropped is ordered by timestamp, like another producer's.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left
from typing import Optional

LOCAL = float("-inf")


class ProducedOrder:
    """Tags for records this process produced: handed out at send, noted at acknowledgement."""

    def __init__(self, cap: int = 200_000):
        self.cap = cap
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._parts: dict[tuple[str, int], tuple[list, list]] = {}  # offsets, tags

    def new_tag(self, after: Optional[tuple] = None) -> tuple:
        """A fresh tag; ``after`` (the input's tag) puts the record right after that input."""
        n = next(self._counter)
        return (LOCAL, n) if not after else after + (n,)

    def batch_tag(self, record: tuple) -> tuple:
        """The tag of a ``produce_batch`` tuple (topic, partition, key, value, timestamp,
        headers[, input tag]): none given (or None) is produced now, a fresh tag; a
        query's output comes after its input's tag; ``()`` (an output of another
        producer's record, or state written for recovery) is left untagged."""
        after = record[6] if len(record) > 6 else None
        if after is None:
            return self.new_tag()
        return after + (next(self._counter),) if after else ()

    def note(self, topic: str, partition: int, offset: int, tag: tuple) -> None:
        """Remember an acknowledged record's tag (acks of one partition may come in any
        order within a batch; they are kept sorted by offset)."""
        with self._lock:
            offsets, tags = self._parts.setdefault((topic, partition), ([], []))
            if offsets and offset < offsets[-1]:
                i = bisect_left(offsets, offset)
                offsets.insert(i, offset)
                tags.insert(i, tag)
            else:
                offsets.append(offset)
                tags.append(tag)
            if len(offsets) > self.cap:
                half = len(offsets) // 2
                del offsets[:half], tags[:half]

    def tag(self, topic: str, partition: int, records: list) -> list:
        """Set ``seq`` on the fetched ``records`` (one partition, offset order) that this
        process produced; the others keep ``()``."""
        part = self._parts.get((topic, partition))
        if not part or not records:
            return records
        with self._lock:
            offsets, tags = part
            i, n = bisect_left(offsets, records[0].offset), len(offsets)
            for r in records:
                while i < n and offsets[i] < r.offset:
                    i += 1
                if i == n:
                    break
                if offsets[i] == r.offset:
                    r.__dict__["seq"] = tags[i]
        return records

    def forget(self, topic: str) -> None:
        """A deleted topic's offsets start again from 0: its tags no longer apply."""
        with self._lock:
            for key in [k for k in self._parts if k[0] == topic]:
                del self._parts[key]
