"""PRINT: a topic's records as text, the way ksqlDB's PRINT shows them.

Bytes that decode as UTF-8 are shown as text (JSON stays JSON); records framed for the
schema registry (AVRO, JSON_SR) are decoded with their schema; anything else as hex, so a
user can look at a topic before declaring a stream over it.
"""

from __future__ import annotations

import datetime as _dt


def _text(data) -> str:
    if data is None:
        return "<null>"
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.hex()


def _rowtime(ms: int) -> str:
    d = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(milliseconds=ms)
    return d.strftime("%Y/%m/%d %H:%M:%S.") + "%03d Z" % (d.microsecond // 1000)


class TopicPrinter:
    def __init__(self, engine, topic: str, stmt):
        self.engine = engine
        self.topic = topic
        self.stmt = stmt
        self.handle = None

    def rows(self) -> list[list]:
        if not self.stmt.from_beginning:
            return []
        every = max(int(self.stmt.interval or 1), 1)
        rows = []
        for i, r in enumerate(self.engine.broker.records(self.topic)):
            if i % every:
                continue
            rows.append([_rowtime(r.timestamp), r.partition, r.offset, self._show(r.key),
                         self._show(r.value)])
            if self.stmt.limit is not None and len(rows) >= self.stmt.limit:
                break
        return rows

    def _show(self, data) -> str:
        """Registry-framed records (AVRO, JSON_SR) decoded with their schema, else text."""
        from .serde.registry import framed_text
        shown = framed_text(self.engine.__dict__.get("_registry"), data)
        return _text(data) if shown is None else shown

    def lines(self, rows) -> list[str]:
        return ["rowtime: %s, key: %s, value: %s, partition: %d" % (r[0], r[3], r[4], r[1])
                for r in rows]
