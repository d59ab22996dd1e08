"""Built-in aggregate functions, part 2: the collecting ones — COLLECT_LIST, COLLECT_SET,
EARLIEST_BY_OFFSET, LATEST_BY_OFFSET, TOPK, TOPKDISTINCT.

Constant arguments (TOPK's k, the n and ignoreNulls of *_BY_OFFSET) must be literals; a
non-literal raises ksqlDB's 'must be a literal constant' error at resolution time.
"""

from __future__ import annotations

import itertools

from .. import types as t
from ..errors import KsqlStatementError
from .aggregate_base import AggregateFunction
from .aggregates import _copy
from .registry import NotConstant, aggregate

COLLECT_LIMIT = 1000
_SEQ = itertools.count()          # arrival order, so merged session windows keep offset order


def _const(name, consts, i, default=None):
    if i >= len(consts):
        return default
    v = consts[i]
    if isinstance(v, NotConstant):
        raise KsqlStatementError(
            "Parameter %d passed to function %s must be a literal constant, but was "
            "expression: '%s'" % (i + 1, name, v.text if v.text is not None else "?"))
    return v


# -- COLLECT_LIST / COLLECT_SET -----------------------------------------------------------
def _limit_property(properties: dict, name: str) -> int | None:
    """ksqlDB's collect limit: an integer property; negative means no limit (None)."""
    raw = properties.get(name, COLLECT_LIMIT)
    try:
        limit = int(str(raw).strip())
    except ValueError:
        raise KsqlStatementError("Invalid value %s for configuration %s: Not a number of type INT"
                                 % (raw, name)) from None
    return None if limit < 0 else limit


class CollectList(AggregateFunction):
    """Values in arrival order, up to ``ksql.functions.collect_list.limit`` of them."""

    supports_undo = True
    LIMIT_PROPERTY = "ksql.functions.collect_list.limit"
    limit: int | None = COLLECT_LIMIT

    def configure(self, properties):
        self.limit = _limit_property(properties, self.LIMIT_PROPERTY)

    def _full(self, acc) -> bool:
        return self.limit is not None and len(acc) >= self.limit

    def initialize(self):
        return []

    def aggregate(self, acc, v):
        if not self._full(acc):
            acc.append(v)
        return acc

    def undo(self, acc, v):
        """Drops the last occurrence, as ksqlDB does (a value past the limit is absent)."""
        for i in range(len(acc) - 1, -1, -1):
            if acc[i] == v:
                del acc[i]
                break
        return acc

    def merge(self, a, b):
        out = list(a)
        for v in b:
            self.aggregate(out, v)
        return out

    def result(self, acc):
        return _copy(acc)


class CollectSet(CollectList):
    """Distinct values in arrival order, up to ``ksql.functions.collect_set.limit``. No undo
    (a value seen twice cannot be taken back once), so, as in ksqlDB, not over a table."""

    supports_undo = False
    LIMIT_PROPERTY = "ksql.functions.collect_set.limit"

    def aggregate(self, acc, v):
        if v not in acc and not self._full(acc):
            acc.append(v)
        return acc


aggregate("COLLECT_LIST", ["T col"], "Every value, in arrival order (up to "
          "ksql.functions.collect_list.limit).")(
    lambda ts, cs: CollectList("COLLECT_LIST", t.array(ts[0])))
aggregate("COLLECT_SET", ["T col"], "The distinct values, in arrival order (up to "
          "ksql.functions.collect_set.limit).")(
    lambda ts, cs: CollectSet("COLLECT_SET", t.array(ts[0])))


# -- EARLIEST / LATEST BY OFFSET ----------------------------------------------------------
class ByOffset(AggregateFunction):
    """Keeps the n earliest or latest (seq, value) pairs; a single value when n is None."""

    def __init__(self, name, ty, n, ignore_nulls, latest):
        super().__init__(name, ty if n is None else t.array(ty),
                         intermediate_type=t.struct([("SEQ", t.BIGINT), ("VAL", ty)]))
        self._n, self._ignore, self._latest = n, ignore_nulls, latest

    def initialize(self):
        return []

    def aggregate(self, acc, v):
        if v is None and self._ignore:
            return acc
        keep = self._n or 1
        if self._latest:
            acc.append((next(_SEQ), v))
            if len(acc) > keep:
                del acc[0]
        elif len(acc) < keep:
            acc.append((next(_SEQ), v))
        return acc

    def merge(self, a, b):
        both = sorted(a + b, key=lambda p: p[0])
        keep = self._n or 1
        return both[-keep:] if self._latest else both[:keep]

    def result(self, acc):
        if self._n is None:
            return _copy(acc[0][1]) if acc else None
        return [_copy(v) for _, v in acc]


def _by_offset(name, latest):
    def single(ts, cs):
        return ByOffset(name, ts[0], None, True, latest)

    def with_nulls(ts, cs):
        return ByOffset(name, ts[0], None, bool(_const(name, cs, 1, True)), latest)

    def n_values(ts, cs):
        n = _const(name, cs, 1)
        if n is None or n < 1:
            raise KsqlStatementError("%s: N must be greater than 0" % name)
        return ByOffset(name, ts[0], int(n), bool(_const(name, cs, 2, True)), latest)

    desc = "The %s value by offset (optionally the %s n, and whether to ignore NULLs)." % (
        ("latest", "latest") if latest else ("earliest", "earliest"))
    aggregate(name, ["T col"], desc)(single)
    aggregate(name, ["T col", "BOOLEAN ignoreNulls"], desc)(with_nulls)
    aggregate(name, ["T col", "INTEGER earliestN"], desc)(n_values)
    aggregate(name, ["T col", "INTEGER earliestN", "BOOLEAN ignoreNulls"], desc)(n_values)


_by_offset("EARLIEST_BY_OFFSET", False)
_by_offset("LATEST_BY_OFFSET", True)


# -- TOPK / TOPKDISTINCT ------------------------------------------------------------------
class TopK(AggregateFunction):
    """The k largest values, largest first; among equals the earlier arrival stays ahead."""

    def __init__(self, name, ty, k, distinct):
        super().__init__(name, t.array(ty), intermediate_type=t.array(ty))
        self._k, self._distinct = k, distinct

    def initialize(self):
        return []

    def _entry(self, *values):
        """The accumulated element for one row, or None when the row is skipped."""
        return values[0]

    @staticmethod
    def _key(entry):
        return entry

    def aggregate(self, acc, *values):
        v = self._entry(*values)
        if v is None or (self._distinct and v in acc):
            return acc
        acc.append(v)
        acc.sort(key=self._key, reverse=True)
        del acc[self._k:]
        return acc

    def merge(self, a, b):
        out = list(a)
        for v in b:
            if not (self._distinct and v in out):
                out.append(v)
        out.sort(key=self._key, reverse=True)
        return out[:self._k]

    def result(self, acc):
        return _copy(acc)


class TopKWithColumns(TopK):
    """TOPK(sort_col, other..., k): each element is a STRUCT of the sort value (``sort_col``)
    and the other columns of the same row (``col0``, ``col1``, ...), ordered by sort_col."""

    def __init__(self, name, types, k):
        fields = [("sort_col", types[0])] + [("col%d" % i, ty) for i, ty in enumerate(types[1:])]
        super().__init__(name, t.struct(fields), k, False)
        self.value_args = len(types)
        self._names = [n for n, _ in fields]

    def _entry(self, *values):
        if values[0] is None:
            return None
        return dict(zip(self._names, values))

    @staticmethod
    def _key(entry):
        return entry["sort_col"]


def _k_arg(name, cs, i):
    k = _const(name, cs, i)
    if k is None or k < 1:
        raise KsqlStatementError("%s: k must be greater than 0" % name)
    return int(k)


def _topk(name, distinct):
    def make(ts, cs):
        return TopK(name, ts[0], _k_arg(name, cs, 1), distinct)
    return make


def _topk_with_columns(ts, cs):
    return TopKWithColumns("TOPK", [a if a.base != "NULL" else t.STRING for a in ts[:-1]],
                           _k_arg("TOPK", cs, len(ts) - 1))


for _p in ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "STRING", "DATE", "TIME", "TIMESTAMP"):
    aggregate("TOPK", ["%s col" % _p, "INTEGER k"], "The k largest values, largest first.")(
        _topk("TOPK", False))
    aggregate("TOPK", ["%s col" % _p, "ANY otherCols", "INTEGER k"],
              "The rows with the k largest values of col, largest first, as STRUCTs of "
              "sort_col and the other columns (col0, col1, ...).",
              variadic=True, variadic_at=1)(_topk_with_columns)
    aggregate("TOPKDISTINCT", ["%s col" % _p, "INTEGER k"],
              "The k largest distinct values, largest first.")(_topk("TOPKDISTINCT", True))
