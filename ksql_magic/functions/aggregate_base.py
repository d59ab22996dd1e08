"""The aggregate function protocol the runtime drives (initialize/aggregate/undo/merge/result).

Why a base class: most ksqlDB aggregates differ only in a few methods; the defaults here
(no undo, merge by replaying is impossible so merge must be given) keep each one short.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import types as t


class AggregateFunction:
    """One resolved aggregate call. Accumulators may be mutated in place; ``result`` returns a
    value that does not alias the accumulator."""

    name: str = ""
    return_type: t.SqlType = t.NULL
    intermediate_type: t.SqlType | None = None
    value_args: int = 1
    supports_undo: bool = False

    def __init__(self, name: str, return_type: t.SqlType, value_args: int = 1,
                 intermediate_type: t.SqlType | None = None):
        self.name = name
        self.return_type = return_type
        self.value_args = value_args
        self.intermediate_type = intermediate_type or return_type

    def configure(self, properties: dict) -> None:
        """Read engine properties once, when the query is planned (ksqlDB passes its config
        to UDAFs that implement Kafka's ``Configurable``). Most aggregates need none."""

    def initialize(self) -> Any:
        return None

    def aggregate(self, acc: Any, *values: Any) -> Any:
        raise NotImplementedError

    def undo(self, acc: Any, *values: Any) -> Any:
        raise NotImplementedError("%s does not support undo" % self.name)

    def merge(self, a: Any, b: Any) -> Any:
        raise NotImplementedError("%s does not support merge" % self.name)

    def result(self, acc: Any) -> Any:
        return copy.copy(acc) if isinstance(acc, (list, dict)) else acc

    def __repr__(self) -> str:
        return "<aggregate %s -> %s>" % (self.name, self.return_type)
