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


def _windowed_source(engine, topic: str):
    """The windowed source declared over ``topic``, if any (its keys carry window bounds)."""
    for src in engine.catalog.sources.values():
        if src.topic == topic and src.window is not None:
            return src
    return None


def _windowed_key_text(src, data) -> str:
    """A windowed key as Kafka Streams' Windowed prints it: ``[key@start/end]`` (end '-' when
    the window size is unknown), the inner key read with the source's key format."""
    from .serde import SerdeError, make_serde
    from .serde.windowed import decode_windowed_key
    if data is None:
        return "<null>"
    try:
        session = src.window.kind == "SESSION"
        inner, start, end = decode_windowed_key(data, session, src.window.size)
        cols = [(c.name, c.type) for c in src.key_columns]
        values = make_serde(src.key_format, cols, is_key=True, properties=src.properties,
                            topic=src.topic).deserialize(inner) if cols else []
    except (SerdeError, ValueError):
        return _text(data)
    key = values[0] if len(values) == 1 else values
    return "[%s@%d/%s]" % (key, start, "-" if end is None else end)


class TopicPrinter:
    def __init__(self, engine, topic: str, stmt):
        self.engine = engine
        self.topic = topic
        self.stmt = stmt
        self.handle = None
        self.windowed = _windowed_source(engine, topic)

    def rows(self) -> list[list]:
        if not self.stmt.from_beginning:
            return []
        every = max(int(self.stmt.interval or 1), 1)
        rows = []
        for i, r in enumerate(self.engine.broker.records(self.topic)):
            if i % every:
                continue
            key = _windowed_key_text(self.windowed, r.key) if self.windowed else self._show(r.key)
            rows.append([_rowtime(r.timestamp), r.partition, r.offset, key, self._show(r.value)])
            if self.stmt.limit is not None and len(rows) >= self.stmt.limit:
                break
        return rows

    def _show(self, data) -> str:
        """Registry-framed records (AVRO, JSON_SR) decoded with their schema, else text."""
        from .serde.print_text import framed_text
        shown = framed_text(self.engine.__dict__.get("_registry"), data)
        return _text(data) if shown is None else shown

    def lines(self, rows) -> list[str]:
        return ["rowtime: %s, key: %s, value: %s, partition: %d" % (r[0], r[3], r[4], r[1])
                for r in rows]
