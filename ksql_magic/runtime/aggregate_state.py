"""The aggregation state types, apart from the operator so that its strategies
(``aggregate_session``) and kernels (``aggregate_batch``) build groups without importing
``aggregate`` (which imports them): per task, ``window -> group key -> Group``."""

from __future__ import annotations

from typing import Any, Optional


class Group:
    """One group's key values, accumulators, output timestamp and whether a row is out."""
    __slots__ = ("key", "accs", "ts", "emitted")

    def __init__(self, key: tuple, accs: list, ts: int):
        self.key = key
        self.accs = accs
        self.ts = ts
        self.emitted = False


class Task:
    """The state of one task: its groups by window, its stream time, its emit-final marks."""
    __slots__ = ("state", "stream_time", "store_time", "last_close")

    def __init__(self):
        self.state: dict[Any, dict] = {}
        self.stream_time: Optional[int] = None
        self.store_time: int = -1             # latest window start written (the store's clock)
        self.last_close: Optional[int] = None  # EMIT FINAL: close time of the last emission


def freeze(v):
    """A hashable stand-in for a group key value (structs, arrays and maps are unhashable)."""
    if isinstance(v, dict):
        return tuple((k, freeze(x)) for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return tuple(freeze(x) for x in v)
    return v
