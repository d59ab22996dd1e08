"""Shared machinery of the demo-data generators: events, clocks, disorder.

Why a separate module: every domain is "values over an event-time axis"; what differs is only
the values. The axis (start, spacing, jitter), the teaching disorder (out-of-order and late
events) and the final ordering are the same for all, so they live here once.

An *event* is a plain dict: ``topic``, ``key`` (str or None), ``value`` (dict), ``timestamp``
(ms since the epoch) and ``tag`` (None, or a label such as ``"fraud_burst"``, ``"late"``,
``"out_of_order"`` that tests and notebooks use to find what was planted; never produced).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

DEFAULT_START_MS = 1_767_225_600_000      # 2026-01-01T00:00:00Z: fixed so runs are reproducible
OUT_OF_ORDER_MAX_MS = 30_000              # out-of-order events move back up to 30 s
LATE_BY_MS = 15 * 60_000                  # late events move back 15 min: past a short grace


def event(topic: str, key, value: dict, timestamp: int, tag: str | None = None) -> dict:
    """Build one event dict (the unit every generator returns)."""
    return {"topic": topic, "key": key, "value": value, "timestamp": int(timestamp), "tag": tag}


@dataclass(frozen=True)
class Clock:
    """The event-time axis: event ``i`` happens at ``start + i * spacing`` (plus jitter)."""

    start: int
    spacing_ms: float
    base: int = 0          # global index of event 0: ids stay unique across live chunks

    def at(self, i: int) -> int:
        return int(self.start + i * self.spacing_ms)

    def end(self, n: int) -> int:
        return self.at(n)


@dataclass(frozen=True)
class Domain:
    """One demo domain: its topics' DDL, how to make its events, which value field mirrors the
    record timestamp (per topic), and which topics are reference tables (loaded first, never
    disordered)."""

    name: str
    description: str
    make: Callable[[random.Random, int, Clock], list]
    ddl: tuple[str, ...]
    topics: tuple[str, ...]
    time_fields: dict = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    spacing_ms: float = 1000.0


def order_events(events: list) -> list:
    """Stable sort by timestamp: generators may plant bursts or follow-ups out of sequence."""
    return sorted(events, key=lambda e: e["timestamp"])


def disorder(events: list, rng: random.Random, domain: Domain, out_of_order_fraction: float,
             late_fraction: float, late_by_ms: int = LATE_BY_MS) -> list:
    """Move a fraction of events back in event time while keeping their place in the emission
    order: that is what "out of order" and "late" mean to a stream processor."""
    for e in events:
        if e["topic"] in domain.tables:
            continue
        roll = rng.random()
        if roll < late_fraction:
            shift_event(e, domain, late_by_ms + rng.randrange(0, 60_000), "late")
        elif roll < late_fraction + out_of_order_fraction:
            shift_event(e, domain, rng.randrange(1_000, OUT_OF_ORDER_MAX_MS), "out_of_order")
    return events


def shift_event(e: dict, domain: Domain, back_ms: int, tag: str) -> None:
    """Move one event back by ``back_ms``, keeping its value's time column consistent."""
    e["timestamp"] -= back_ms
    e["tag"] = e["tag"] or tag
    time_field = domain.time_fields.get(e["topic"])
    if time_field and time_field in e["value"]:
        e["value"][time_field] = e["timestamp"]


def tables_first(events: list, start: int, domain: Domain) -> list:
    """Reference-table rows go before everything else, stamped just before the start, so a
    stream-table join sees the table populated (tables are not windowed in time)."""
    table_rows = [e for e in events if e["topic"] in domain.tables]
    for e in table_rows:
        e["timestamp"] = start - 1000
    rest = [e for e in events if e["topic"] not in domain.tables]
    return table_rows + rest
