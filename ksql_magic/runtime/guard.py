"""The per-record boundary every stateful operator shares: a record that raises is skipped,
reported, and the batch goes on with the next record.

Why one helper and not a ``try`` per loop: the operators' loops are hand-inlined hot paths
(``Aggregator._tumbling_cached_batch``, ``StreamStreamJoin.process``), and Python 3.11's
exceptions cost nothing until raised. ``each_record`` runs such a loop over an *iterator*
of the batch; when a record raises, the iterator has consumed exactly the records up to
and including the bad one, so the bad one is known without any per-record bookkeeping,
and calling the loop again with the same iterator resumes with the next record. Outputs
the loop appended for earlier records stay in the caller's list.

Who hears about the bad record: the ``Query`` running the operator installs a reporter for
the duration of its call (``reporting``), a context variable so the background runner's
threads and ``drain()`` never see each other's reporter. Without a reporter (an operator
driven directly, as unit tests do) the error propagates unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator, Optional

_REPORTER: contextvars.ContextVar[Optional[Callable]] = contextvars.ContextVar(
    "ksql_record_error_reporter", default=None)


class RecordError(Exception):
    """A failure that belongs to one record and must skip it (not just NULL one value):
    a regular expression that ran out of time, for example. Scalar functions turn their
    other errors into NULL (ksqlDB's UDF rule); this one passes through them."""


@contextlib.contextmanager
def reporting(reporter: Callable[[object, BaseException], None]):
    """Route bad records of the operators called inside the block to ``reporter(item, exc)``."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)


def each_record(items: list, loop: Callable[[Iterator], None]) -> None:
    """Run ``loop(iterator over items)``; a record that raises is reported and skipped, and
    the loop resumes with the records after it. ``loop`` must consume the iterator one
    item per record, in order (every operator's ``for ... in items`` does)."""
    report = _REPORTER.get()
    if report is None:
        loop(items)
        return
    if not isinstance(items, list):
        items = list(items)
    total = len(items)
    it = iter(items)
    done = 0
    while True:
        try:
            loop(it)
            return
        except Exception as exc:  # noqa: BLE001 - the per-record boundary
            consumed = total - it.__length_hint__()
            if consumed > done:
                bad = items[consumed - 1]
            else:
                # it failed before taking a record: blame the next one so the batch ends
                bad = next(it, None)
                consumed += 1
                if bad is None:
                    return
            done = consumed
            report(bad, exc)


def record_of(item):
    """The input record of a batch item: ``(row, deleted, record)`` and the aggregation's
    cached ``(window, group, record)`` both carry it last."""
    if isinstance(item, tuple) and len(item) == 3:
        return item[2]
    return None


def describe(exc: BaseException) -> str:
    """A processing-log message for an exception: its text, or its type when it has none
    (decimal's signals print as a list of classes)."""
    text = str(exc)
    if not text or text.startswith("[<class"):
        return type(exc).__name__
    return text


def causes(exc: BaseException) -> list[str]:
    """The messages of the exceptions behind ``exc`` (ksqlDB's ``cause`` list)."""
    out: list[str] = []
    seen = {id(exc)}
    cur = exc.__cause__ or exc.__context__
    while cur is not None and id(cur) not in seen and len(out) < 10:
        seen.add(id(cur))
        out.append(describe(cur))
        cur = cur.__cause__ or cur.__context__
    return out
