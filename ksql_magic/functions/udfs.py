"""Python user functions: the ``udf`` / ``udaf`` decorators and their global table.

Why global: a notebook user decorates a function once, and every engine (every
``default_registry()``) created afterwards must see it, without threading a registry through
the notebook. Types are given as SqlTypes or as the simple texts ``signatures.parse`` reads.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import types as t
from ..runtime.state_codec import StateFormatError
from . import signatures as sig
from .aggregate_base import AggregateFunction

_GLOBAL: list = []     # (kind, name, impl, params, returns, description, null_in_null_out)


def _as_type(x) -> t.SqlType:
    """A SqlType, a signature pattern ('ARRAY<T>', 'DECIMAL') or any SQL type text, e.g.
    'STRUCT<C BIGINT>' (read by the dialect's own type parser)."""
    if not isinstance(x, str):
        return x
    try:
        return sig.parse_type(x)
    except ValueError:
        from ..sql.parser import parse_type
        return parse_type(x)


def udf(name: str, params=(), returns="STRING", description: str = "",
        null_in_null_out: bool = False):
    """Register the decorated Python function as scalar ``name`` in every new registry."""
    def deco(fn: Callable) -> Callable:
        _GLOBAL.append(("scalar", name, fn, [_as_type(p) for p in params], _as_type(returns),
                        description or (fn.__doc__ or "").strip(), null_in_null_out))
        return fn
    return deco


def udaf(name: str, params=(), returns="STRING", description: str = ""):
    """Register the decorated class (initialize/aggregate/result, optional undo/merge) or
    zero-argument factory as aggregate ``name`` in every new registry.

    On Kafka a query's aggregate state is written to its changelog topic as data (no pickle):
    an accumulator must be made of numbers, strings, bytes, Decimals, lists, tuples, dicts and
    sets, or the class converts it with ``to_data(acc)`` / ``from_data(data)`` (which should
    check what it is given). Otherwise CREATE ... AS SELECT with it is refused there."""
    def deco(cls):
        _GLOBAL.append(("aggregate", name, cls, [_as_type(p) for p in params], _as_type(returns),
                        description or (cls.__doc__ or "").strip(), False))
        return cls
    return deco


def udtf(name: str, params=(), returns="STRING", description: str = ""):
    """Register the decorated Python function as table function ``name`` in every new
    registry: it returns a list (one output row per element), as ksqlDB's UDTFs do."""
    def deco(fn: Callable) -> Callable:
        _GLOBAL.append(("table", name, fn, [_as_type(p) for p in params], _as_type(returns),
                        description or (fn.__doc__ or "").strip(), False))
        return fn
    return deco


def apply_global(reg) -> None:
    """Add every globally declared UDF/UDAF/UDTF to ``reg`` (called by ``default_registry``)."""
    for kind, name, impl, params, returns, desc, ninno in _GLOBAL:
        if kind == "scalar":
            reg.register_udf(name, impl, params, returns, desc, ninno)
        elif kind == "table":
            reg.register_udtf(name, impl, params, returns, desc)
        else:
            reg.register_udaf(name, impl, params, returns, desc)


class _UserAggregate(AggregateFunction):
    """Adapts a user object with initialize/aggregate/result (+ undo/merge) to the protocol."""

    def __init__(self, name, obj, return_type, n_args):
        super().__init__(name.upper(), return_type, n_args)
        self._obj = obj
        self.supports_undo = hasattr(obj, "undo")

    def initialize(self):
        return self._obj.initialize()

    def aggregate(self, acc, *values):
        return self._obj.aggregate(acc, *values)

    def undo(self, acc, *values):
        return self._obj.undo(acc, *values)

    def merge(self, a, b):
        if not hasattr(self._obj, "merge"):
            raise NotImplementedError("%s does not support merge" % self.name)
        return self._obj.merge(a, b)

    def acc_to_data(self, acc):
        to_data = getattr(self._obj, "to_data", None)
        if to_data is None:
            return acc
        try:
            return to_data(acc)
        except Exception as e:  # noqa: BLE001 - user code failing to convert its accumulator
            from ..runtime.state_codec import StateEncodeError
            raise StateEncodeError("%s.to_data failed: %s" % (self.name, e)) from None

    def acc_from_data(self, data):
        from_data = getattr(self._obj, "from_data", None)
        if from_data is None:
            return AggregateFunction.acc_from_data(self, data)
        try:
            return from_data(data)
        except Exception as e:  # noqa: BLE001 - user code refusing what the changelog held
            raise StateFormatError("%s.from_data refused the stored accumulator: %s"
                                   % (self.name, e)) from None

    def result(self, acc):
        res = getattr(self._obj, "result", None)
        value = res(acc) if res else acc
        return AggregateFunction.result(self, value)


def udaf_factory(name: str, cls_or_factory: Any, return_type: t.SqlType):
    """The registry's aggregate factory for a user class: a fresh instance per call site."""
    def factory(arg_types, constant_args):
        obj = cls_or_factory()
        return _UserAggregate(name, obj, _as_type(return_type), len(arg_types))
    return factory
