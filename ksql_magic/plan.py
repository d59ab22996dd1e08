"""The executable plan of a query: frozen description plus the compiled callables.

The planner builds it from the statement tree and the catalog; the runtime executes it and
never sees SQL. ``explain()`` renders it for EXPLAIN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .catalog import Source
from .compiler.scope import Scope
from .types import SqlType


@dataclass(frozen=True)
class OutputColumn:
    name: str
    type: SqlType
    fn: Callable[[list], Any]
    is_key: bool = False
    # a transient join's key that the SELECT does not name: it still identifies rows (a live
    # view updates a table row in place) but is not a column the user sees, as in ksqlDB
    hidden: bool = False


@dataclass(frozen=True)
class SourceBinding:
    """One input of a query: the source, the alias it is known by, its row layout."""
    source: Source
    alias: str
    scope: Scope
    # slot indexes in that row layout
    rowtime_index: int = 0
    key_count: int = 0


@dataclass
class QueryPlan:
    """Everything the runtime needs to run one query."""
    result_kind: str                        # STREAM | TABLE
    inputs: list[SourceBinding]
    scope: Scope                            # the scope expressions were compiled over
    columns: list[OutputColumn]             # output, key columns first
    where: Optional[Callable[[list], Any]] = None
    partition_by: Optional[list[Callable[[list], Any]]] = None
    stateful: Any = None                    # aggregation / join operator spec (their modules)
    limit: Optional[int] = None
    windowed: Any = None                    # WindowInfo of the output, if windowed
    emit_final: bool = False
    pull: bool = False
    table_functions: Any = None             # EXPLODE & co: list of (slot, fn)
    output_timestamp: Optional[int] = None  # index into columns of a WITH (TIMESTAMP=...) column
    output_timestamp_fn: Optional[Callable[[Any], int]] = None   # text -> epoch ms, if needed
    description: list[str] = field(default_factory=list)
    # transient queries keep SELECT order (no key columns); these name the columns that
    # identify a row, so a live view of a table can update it in place
    key_names: list[str] = field(default_factory=list)
    # PARTITION BY: the key of a null-value record (only key-column expressions can be read)
    tombstone_key_fns: Optional[list[Callable[[list], Any]]] = None

    @property
    def key_columns(self) -> list[OutputColumn]:
        return [c for c in self.columns if c.is_key]

    @property
    def value_columns(self) -> list[OutputColumn]:
        return [c for c in self.columns if not c.is_key]

    def explain(self) -> str:
        return "\n".join(self.description)
