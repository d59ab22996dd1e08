"""What every format shares: the ``Serde`` pair of callables and ``SerdeError``.

A ``Serde`` is built once per (format, schema) by ``make_serde``; its ``serialize`` and
``deserialize`` are plain closures specialised to the schema, so the per-record path does no
type dispatch. ``SerdeError`` carries the message ksqlDB writes to its processing log.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..errors import KsqlError

Deserialize = Callable[[Optional[bytes]], Optional[list]]
Serialize = Callable[[Optional[list]], Optional[bytes]]


class SerdeError(KsqlError):
    """One record's bytes cannot be read (or a row cannot be written) in its format."""


class Serde:
    """The two directions of one format for one schema (key or value side)."""

    __slots__ = ("format", "is_key", "deserialize", "serialize")

    def __init__(self, fmt: str, is_key: bool, deserialize: Deserialize, serialize: Serialize):
        self.format = fmt
        self.is_key = is_key
        self.deserialize = deserialize
        self.serialize = serialize

    def __repr__(self) -> str:
        return "Serde(%s, %s)" % (self.format, "key" if self.is_key else "value")


class Failure:
    """Builds ksqlDB's deserialization messages for one side of one topic."""

    __slots__ = ("target", "topic")

    def __init__(self, is_key: bool, topic: Optional[str]):
        self.target = "key" if is_key else "value"
        self.topic = topic

    def read(self, detail: str) -> SerdeError:
        where = " from topic: %s" % self.topic if self.topic is not None else ""
        return SerdeError("Failed to deserialize %s%s. %s" % (self.target, where, detail))

    def write(self, detail: str) -> SerdeError:
        where = " to topic: %s" % self.topic if self.topic is not None else ""
        return SerdeError("Failed to serialize %s%s. %s" % (self.target, where, detail))


def column_list(columns, is_key: bool) -> str:
    """ksqlDB's column-list rendering used in format errors: [`A` INTEGER, `K` STRING KEY]."""
    suffix = " KEY" if is_key else ""
    return "[" + ", ".join("`%s` %s%s" % (n, t, suffix) for n, t in columns) + "]"
