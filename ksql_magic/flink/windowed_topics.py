"""Flink's window encoding -> ksqlDB's, for the kernel's readers of a Flink sink topic.

Flink writes a windowed aggregate's group key alone as the record key and the window bounds
as ``WINDOW_START`` / ``WINDOW_END`` value fields (epoch ms); ksqlDB writes the bounds into
the key (``serde/windowed.py``). ``WindowKeyBroker`` wraps the engine's broker and, for the
topics a Flink job writes windowed results to, re-encodes each record's key the ksqlDB way as
it is read. The catalog then describes the sink exactly as the in-kernel engine would (a
windowed table with WINDOWSTART / WINDOWEND), so push and pull queries, ``Engine.records``,
the live table and the chart read either engine's output unchanged.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..serde.windowed import encode_windowed_key

START, END = "WINDOW_START", "WINDOW_END"


def rekey(record, session: bool):
    """The record with ksqlDB's windowed key; records without bounds pass unchanged (a
    tombstone or a foreign record: the reader then skips or logs it as for any bad key)."""
    if record.value is None:
        return record
    try:
        value = json.loads(record.value)
        start, end = int(value[START]), int(value[END])
    except (ValueError, TypeError, KeyError):
        return record
    return replace(record, key=encode_windowed_key(record.key, start, end, session))


class WindowKeyBroker:
    """Delegates everything to ``inner``; ``fetch`` and ``records`` of registered topics
    return records with ksqlDB windowed keys."""

    def __init__(self, inner):
        self.inner = inner
        self.topics: dict[str, bool] = {}        # topic -> session windows?

    def register(self, topic: str, session: bool) -> None:
        self.topics[topic] = session

    def unregister(self, topic: str) -> None:
        self.topics.pop(topic, None)

    def _convert(self, topic: str, records: list) -> list:
        session = self.topics.get(topic)
        if session is None:
            return records
        return [rekey(r, session) for r in records]

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500):
        return self._convert(topic, self.inner.fetch(topic, partition, offset, max_records))

    def records(self, topic: str):
        return self._convert(topic, self.inner.records(topic))

    def __getattr__(self, name):
        return getattr(self.inner, name)
