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

Memory: 16 bytes per fresh tag (offsets and counters in ``array('q')``), outputs' longer
tags in a dict; at most ``cap`` tags per partition (the oldest half is dropped beyond it):
a record whose tag was dropped is ordered by timestamp, like another producer's.
"""

from __future__ import annotations

import itertools
import threading
from array import array
from bisect import bisect_left
from typing import Optional

LOCAL = float("-inf")


class ProducedOrder:
    """Tags for records this process produced: handed out at send, noted at acknowledgement."""

    def __init__(self, cap: int = 500_000):
        self.cap = cap
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._parts: dict[tuple[str, int], _Tags] = {}

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
        """Remember an acknowledged record's tag."""
        with self._lock:
            part = self._parts.get((topic, partition))
            if part is None:
                part = self._parts[(topic, partition)] = _Tags()
            part.add(offset, tag)
            if len(part.offsets) > self.cap:
                part.drop_oldest_half()

    def tag(self, topic: str, partition: int, records: list) -> list:
        """Set ``seq`` on the fetched ``records`` (one partition, offset order) that this
        process produced; the others keep ``()``."""
        part = self._parts.get((topic, partition))
        if not part or not records:
            return records
        with self._lock:
            offsets, ns, longer = part.offsets, part.ns, part.longer
            i, n = bisect_left(offsets, records[0].offset), len(offsets)
            for r in records:
                while i < n and offsets[i] < r.offset:
                    i += 1
                if i == n:
                    break
                if offsets[i] == r.offset:
                    c = ns[i]
                    r.__dict__["seq"] = (LOCAL, c) if c >= 0 else longer[r.offset]
        return records

    def forget(self, topic: str) -> None:
        """A deleted topic's offsets start again from 0: its tags no longer apply."""
        with self._lock:
            for key in [k for k in self._parts if k[0] == topic]:
                del self._parts[key]


class _Tags:
    """One partition's tags by offset: a fresh tag (LOCAL, n) as n, a longer one (a query's
    output) as -1 with the tuple in ``longer``. Acks of one batch may come in any order:
    kept sorted by offset."""

    __slots__ = ("offsets", "ns", "longer")

    def __init__(self):
        self.offsets = array("q")
        self.ns = array("q")
        self.longer: dict[int, tuple] = {}

    def __len__(self) -> int:
        return len(self.offsets)

    def add(self, offset: int, tag: tuple) -> None:
        fresh = len(tag) == 2
        n = tag[1] if fresh else -1
        if not fresh:
            self.longer[offset] = tag
        offsets = self.offsets
        if offsets and offset < offsets[-1]:
            i = bisect_left(offsets, offset)
            offsets.insert(i, offset)
            self.ns.insert(i, n)
        else:
            offsets.append(offset)
            self.ns.append(n)

    def drop_oldest_half(self) -> None:
        half = len(self.offsets) // 2
        cutoff = self.offsets[half]
        del self.offsets[:half], self.ns[:half]
        self.longer = {o: t for o, t in self.longer.items() if o >= cutoff}
