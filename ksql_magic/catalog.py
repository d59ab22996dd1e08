"""The catalog: the streams, tables, custom types and queries an engine knows.

A ``Source`` describes how to read a topic as rows (columns, formats, event time, window
kind); the engine owns the one ``Catalog`` and replaces it wholesale on a failed statement,
which is what keeps the state untouched when a statement is rejected.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import KsqlStatementError
from .types import SqlType

# Pseudo columns every row has: ROWTIME, and where Kafka stored the record (known only once
# it is stored, so a row cannot set them and a table's state has none).
ROW_POSITION_COLUMNS = ("ROWPARTITION", "ROWOFFSET")
PSEUDO_COLUMN_NAMES = ("ROWTIME",) + ROW_POSITION_COLUMNS


@dataclass(frozen=True)
class Column:
    name: str
    type: SqlType
    namespace: str = "VALUE"          # KEY | VALUE | HEADERS | HEADER
    header_key: Optional[str] = None


@dataclass(frozen=True)
class WindowInfo:
    """The window kind of a windowed source (its keys carry window bounds)."""
    kind: str                          # TUMBLING | HOPPING | SESSION
    size: Optional[int] = None         # ms; None for SESSION


@dataclass
class Source:
    name: str
    kind: str                          # STREAM | TABLE
    topic: str
    columns: list[Column]
    key_format: str = "KAFKA"
    value_format: str = "JSON"
    properties: dict = field(default_factory=dict)
    timestamp_column: Optional[str] = None
    timestamp_format: Optional[str] = None
    window: Optional[WindowInfo] = None
    sql: str = ""
    query_id: Optional[str] = None     # the persistent query writing it, if any
    is_source_table: bool = False      # CREATE SOURCE TABLE / STREAM: read-only
    is_cas_target: bool = False        # made by CREATE ... AS SELECT (ALTER refuses it)
    # The engine's schema registry (serde.registry.Registry), for registry-format sides.
    registry: Any = field(default=None, repr=False, compare=False)
    # A CREATE TABLE ... AS SELECT's state belongs to its query: the topic offset, per
    # partition, where that query's output starts. Pull queries and to_dataframe read the
    # table from there, never the records an earlier (dropped) query left in the topic.
    materialized_from: Optional[dict] = None

    @property
    def key_columns(self) -> list[Column]:
        return [c for c in self.columns if c.namespace == "KEY"]

    @property
    def value_columns(self) -> list[Column]:
        return [c for c in self.columns if c.namespace == "VALUE"]

    @property
    def header_columns(self) -> list[Column]:
        return [c for c in self.columns if c.namespace in ("HEADERS", "HEADER")]

    def column(self, name: str) -> Optional[Column]:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass
class QueryInfo:
    """What SHOW QUERIES and TERMINATE need to know of a persistent query."""
    query_id: str
    sql: str
    sink: Optional[str]
    sources: list[str]
    kind: str = "PERSISTENT"


@dataclass
class Catalog:
    sources: dict[str, Source] = field(default_factory=dict)
    types: dict[str, SqlType] = field(default_factory=dict)
    queries: dict[str, QueryInfo] = field(default_factory=dict)
    next_query_number: int = 0

    def snapshot(self) -> "Catalog":
        return copy.deepcopy(self)

    def get(self, name: str, pos=None) -> Source:
        src = self.sources.get(name)
        if src is None:
            line, col = (pos.line, pos.column) if pos is not None else (None, None)
            from .suggest import did_you_mean
            raise KsqlStatementError("%s does not exist.%s" % (name, did_you_mean(name, self.sources)),
                                     line, col)
        return src

    def new_query_id(self, prefix: str, sink: Optional[str]) -> str:
        n = self.next_query_number
        self.next_query_number += 1
        return "%s_%s_%d" % (prefix, sink, n) if sink else "%s_%d" % (prefix, n)
