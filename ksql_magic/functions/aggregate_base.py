"""The aggregate function protocol the runtime drives (initialize/aggregate/undo/merge/result).

Why a base class: most ksqlDB aggregates differ only in a few methods; the defaults here
(no undo, merge by replaying is impossible so merge must be given) keep each one short.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from .. import types as t
from ..runtime.state_codec import StateFormatError


_NUMBER = (int, float, Decimal)


def _kind_of(fresh) -> Any:
    """What a restored accumulator must be, judged from a fresh one: the same container, a
    number, or (a scalar that starts as NULL or a string) any data value."""
    for kind in (list, dict, set, tuple):
        if isinstance(fresh, kind):
            return kind
    if isinstance(fresh, _NUMBER) and not isinstance(fresh, bool):
        return _NUMBER
    return object


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

    def acc_to_data(self, acc: Any) -> Any:
        """The accumulator as changelog data (``runtime.state_codec`` values: numbers,
        strings, bytes, Decimals, lists, tuples, dicts, sets). Built-in accumulators already
        are; a function keeping anything else converts here."""
        return acc

    def acc_from_data(self, data: Any) -> Any:
        """An accumulator back from changelog data, checked: when the fresh accumulator is a
        container, the restored one must be the same kind of container (a scalar one may
        hold any data value: NULL until the first row, a number, a string...)."""
        kind = self.__dict__.get("_acc_kind")
        if kind is None:
            kind = self._acc_kind = _kind_of(self.initialize())
        if kind is not object and not (isinstance(data, kind) and data.__class__ is not bool):
            raise StateFormatError("%s's accumulator should be a %s, not %s" % (
                self.name, "number" if kind is _NUMBER else kind.__name__, type(data).__name__))
        return data

    def result(self, acc: Any) -> Any:
        return copy.copy(acc) if isinstance(acc, (list, dict)) else acc

    def __repr__(self) -> str:
        return "<aggregate %s -> %s>" % (self.name, self.return_type)
