"""Putting demo events into an engine: all at once, or live at a wall-clock rate.

Why a thread for the live mode: ``%ksql datagen ... --rate 100`` must return at once and keep
producing while the user runs other cells. The thread only calls ``engine.produce`` (never
prints or displays) and stops on ``stop()``, on reaching ``count``, or when the engine closes.
"""

from __future__ import annotations

import itertools
import threading
import time
from operator import itemgetter

from ..serde.json_codec import dumps as _json_bytes
from .registry import domain, generate

CHUNK_SECONDS = 5          # live mode generates this much event time at a time
MAX_CHUNK = 20_000
TICK_S = 0.02              # produce what is due every 20 ms: smooth without busy-waiting


def encode(e: dict) -> tuple:
    """(key bytes or None, JSON value bytes): KAFKA string keys, JSON values."""
    key = None if e["key"] is None else str(e["key"]).encode("utf-8")
    return key, _json_bytes(e["value"])


def create_topics(engine, name: str) -> None:
    """Create the domain's topics; an existing topic is fine."""
    for topic in domain(name).topics:
        try:
            engine.create_topic(topic, partitions=1)
        except Exception:       # noqa: BLE001 - already exists is the common, harmless case
            pass


def produce_events(engine, events: list) -> int:
    """Produce in order. With an engine that takes batches, one ``produce_batch`` per run of
    events of one topic (order across topics kept: the runs go in turn): one lock and one
    wake-up of the engine's runner per run instead of one per record."""
    if not events:
        return 0
    batch = getattr(engine, "produce_batch", None)
    if batch is None:
        for e in events:
            key, value = encode(e)
            engine.produce(e["topic"], value, key=key, timestamp=e["timestamp"])
        return len(events)
    for topic, run in itertools.groupby(events, key=itemgetter("topic")):
        run = list(run)
        keys, values = zip(*map(encode, run))
        batch(topic, values, keys=keys, timestamps=[e["timestamp"] for e in run])
    return len(events)


def produce(engine, name: str, n: int = 100, seed: int = 0, **options) -> int:
    """Generate ``n`` events (see ``generate``) and produce them into the engine's topics now.
    Returns how many records were produced (reference-table rows included)."""
    create_topics(engine, name)
    return produce_events(engine, generate(name, n=n, seed=seed, **options))


class DatagenRun:
    """A live generator: ``rate`` events per second of wall clock, event times starting now.

    ``count`` None runs until ``stop()``. ``produced`` and ``state`` are read by the magic's
    status line; the thread writes nothing else.
    """

    def __init__(self, engine, name: str, rate: float = 10.0, count: int | None = None,
                 seed: int = 0, out_of_order_fraction: float = 0.0, late_fraction: float = 0.0):
        self.engine, self.name = engine, domain(name).name
        self.rate, self.count, self.seed = float(rate), count, seed
        self.options = {"out_of_order_fraction": out_of_order_fraction,
                        "late_fraction": late_fraction}
        self.produced, self.state, self.error = 0, "RUNNING", None
        self.planted: set = set()      # (tag, key) of every tagged event produced so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ksql-datagen-" + self.name,
                                        daemon=True)

    def start(self) -> "DatagenRun":
        create_topics(self.engine, self.name)
        starter = getattr(self.engine, "start", None)
        if starter is not None:
            starter()
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        if self.state == "RUNNING":
            self.state = "STOPPED"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def __repr__(self) -> str:
        return "DatagenRun(%s, rate=%g/s, produced=%d, %s)" % (
            self.name, self.rate, self.produced, self.state)

    def _chunks(self):
        """Endless (or ``count``-bounded) chunks of events, ids unique across chunks."""
        spacing = 1000.0 / self.rate
        size = int(min(MAX_CHUNK, max(50, self.rate * CHUNK_SECONDS)))
        start, base = int(time.time() * 1000), 0
        while self.count is None or base < self.count:
            n = size if self.count is None else min(size, self.count - base)
            yield generate(self.name, n=n, seed=self.seed, start=start + base * spacing,
                           spacing_ms=spacing, base=base, include_tables=base == 0,
                           **self.options)
            base += n

    def _run(self) -> None:
        began = time.monotonic()
        sent_primary = 0
        try:
            for chunk in self._chunks():
                i = 0
                while i < len(chunk):
                    if self._stop.wait(TICK_S):
                        return
                    due = int((time.monotonic() - began) * self.rate) - sent_primary
                    batch = chunk[i:i + max(0, due)] if due > 0 else []
                    produce_events(self.engine, batch)
                    self.planted.update((e["tag"], e["key"]) for e in batch if e["tag"])
                    i += len(batch)
                    sent_primary += len(batch)
                    self.produced += len(batch)
            self.state = "DONE"
        except Exception as exc:   # noqa: BLE001 - reported through .state/.error, not raised
            self.state, self.error = "ERROR", "%s: %s" % (type(exc).__name__, exc)


def start(engine, name: str, rate: float = 10.0, count: int | None = None, seed: int = 0,
          **options) -> DatagenRun:
    """Start producing a domain live in the background; returns the running ``DatagenRun``."""
    return DatagenRun(engine, name, rate, count, seed, **options).start()
