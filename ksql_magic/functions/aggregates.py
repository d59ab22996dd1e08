"""Built-in aggregate functions, part 1: COUNT, COUNT_DISTINCT, SUM, SUM_LIST, AVG, MIN, MAX,
STDDEV_SAMP, CORRELATION, ATTR, HISTOGRAM.

Each is a small AggregateFunction subclass; the ``aggregate`` declarations map ksqlDB's
signatures to factories ``(arg_types, constant_args) -> AggregateFunction``. Result types and
NULL handling are ksqlDB's (SUM/AVG/MIN/MAX skip NULLs; COUNT(*) counts rows; STDDEV_SAMP
returns the sample variance, as ksqlDB's implementation does).
"""

from __future__ import annotations

from decimal import Decimal

from .. import types as t
from .aggregate_base import AggregateFunction
from .registry import aggregate

HISTOGRAM_LIMIT = 1000


def _wrap(base):
    if base == "INTEGER":
        return lambda v: (v + 2 ** 31) % 2 ** 32 - 2 ** 31
    if base == "BIGINT":
        return lambda v: (v + 2 ** 63) % 2 ** 64 - 2 ** 63
    return lambda v: v


# -- COUNT --------------------------------------------------------------------------------
class Count(AggregateFunction):
    supports_undo = True

    def initialize(self):
        return 0

    def aggregate(self, acc, *values):
        if self.value_args and values[0] is None:
            return acc
        return acc + 1

    def undo(self, acc, *values):
        if self.value_args and values[0] is None:
            return acc
        return acc - 1

    def merge(self, a, b):
        return a + b


@aggregate("COUNT", [], "Counts rows.")
def _count_star(arg_types, consts):
    return Count("COUNT", t.BIGINT, 0)


@aggregate("COUNT", ["T col"], "Counts non-NULL values.")
def _count(arg_types, consts):
    return Count("COUNT", t.BIGINT, 1)


class CountDistinct(AggregateFunction):
    def initialize(self):
        return set()

    def aggregate(self, acc, v):
        if v is not None:
            acc.add(_hashable(v))
        return acc

    def merge(self, a, b):
        return a | b

    def result(self, acc):
        return len(acc)


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple((k, _hashable(x)) for k, x in v.items())
    return v


@aggregate("COUNT_DISTINCT", ["T col"], "Counts distinct non-NULL values (exactly).")
def _count_distinct(arg_types, consts):
    return CountDistinct("COUNT_DISTINCT", t.BIGINT, 1, t.array(t.STRING))


# -- SUM / AVG ----------------------------------------------------------------------------
class Sum(AggregateFunction):
    supports_undo = True

    def __init__(self, ty):
        super().__init__("SUM", ty)
        self._wrap = _wrap(ty.base)
        self._zero = {"DOUBLE": 0.0, "DECIMAL": Decimal(0).scaleb(-(ty.scale or 0))}.get(ty.base, 0)

    def initialize(self):
        return self._zero

    def aggregate(self, acc, v):
        return acc if v is None else self._wrap(acc + v)

    def undo(self, acc, v):
        return acc if v is None else self._wrap(acc - v)

    def merge(self, a, b):
        return self._wrap(a + b)


def _sum_type(ty):
    return ty


for _p in ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL"):
    aggregate("SUM", ["%s col" % _p], "Sums non-NULL values.")(
        lambda arg_types, consts: Sum(_sum_type(arg_types[0])))


class SumList(Sum):
    """SUM_LIST: adds up the elements of each row's array (NULL arrays and elements skipped),
    in the element type with Java's overflow wrap-around, as ksqlDB's ListSumUdaf does."""

    def __init__(self, ty):
        super().__init__(ty)
        self.name = "SUM_LIST"

    def _total(self, values):
        total = self._zero
        for v in values or ():
            if v is not None:
                total = self._wrap(total + v)
        return total

    def aggregate(self, acc, values):
        return Sum.aggregate(self, acc, self._total(values))

    def undo(self, acc, values):
        return Sum.undo(self, acc, self._total(values))


for _p in ("INTEGER", "BIGINT", "DOUBLE"):
    aggregate("SUM_LIST", ["ARRAY<%s> list" % _p], "Sums the elements of every array.")(
        lambda arg_types, consts: SumList(arg_types[0].element))


class Avg(AggregateFunction):
    supports_undo = True

    def initialize(self):
        return [0, 0]

    def aggregate(self, acc, v):
        if v is not None:
            acc[0] += v
            acc[1] += 1
        return acc

    def undo(self, acc, v):
        if v is not None:
            acc[0] -= v
            acc[1] -= 1
        return acc

    def merge(self, a, b):
        return [a[0] + b[0], a[1] + b[1]]

    def result(self, acc):
        return float(acc[0]) / acc[1] if acc[1] else 0.0


_AVG_STATE = t.struct([("SUM", t.DOUBLE), ("COUNT", t.BIGINT)])
for _p in ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL"):
    aggregate("AVG", ["%s col" % _p], "The mean of non-NULL values, as a DOUBLE.")(
        lambda arg_types, consts: Avg("AVG", t.DOUBLE, 1, _AVG_STATE))


# -- MIN / MAX ----------------------------------------------------------------------------
class Extreme(AggregateFunction):
    def __init__(self, name, ty, pick):
        super().__init__(name, ty)
        self._pick = pick

    def aggregate(self, acc, v):
        if v is None:
            return acc
        return v if acc is None else self._pick(acc, v)

    def merge(self, a, b):
        return self.aggregate(a, b)


for _name, _pick in (("MIN", min), ("MAX", max)):
    for _p in ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "STRING", "BYTES", "DATE", "TIME",
               "TIMESTAMP", "BOOLEAN"):
        aggregate(_name, ["%s col" % _p], "The %s non-NULL value." % (
            "smallest" if _name == "MIN" else "largest"))(
            lambda arg_types, consts, _n=_name, _f=_pick: Extreme(_n, arg_types[0], _f))


# -- STDDEV_SAMP / CORRELATION ------------------------------------------------------------
class Variance(AggregateFunction):
    """Sample variance by (count, sum, m2) updates (ksqlDB's STDDEV_SAMP returns this value)."""

    supports_undo = True

    def initialize(self):
        return [0, 0.0, 0.0]

    def aggregate(self, acc, v):
        if v is None:
            return acc
        n, s = acc[0] + 1, acc[1] + v
        if n > 1:
            acc[2] += (n * v - s) ** 2 / (n * (n - 1))
        acc[0], acc[1] = n, s
        return acc

    def undo(self, acc, v):
        if v is None or acc[0] == 0:
            return acc
        n, s = acc[0], acc[1]
        if n > 1:
            acc[2] -= (n * v - s) ** 2 / (n * (n - 1))
        acc[0], acc[1] = n - 1, s - v
        return acc

    def merge(self, a, b):
        if not a[0] or not b[0]:
            return list(a if a[0] else b)
        n = a[0] + b[0]
        delta = b[1] / b[0] - a[1] / a[0]
        return [n, a[1] + b[1], a[2] + b[2] + delta * delta * a[0] * b[0] / n]

    def result(self, acc):
        return acc[2] / (acc[0] - 1) if acc[0] > 1 else 0.0


_VAR_STATE = t.struct([("COUNT", t.BIGINT), ("SUM", t.DOUBLE), ("M2", t.DOUBLE)])
for _p in ("INTEGER", "BIGINT", "DOUBLE"):
    aggregate(("STDDEV_SAMP", "STDDEV_SAMPLE"), ["%s col" % _p],
              "The sample standard deviation (ksqlDB returns the sample variance).")(
        lambda arg_types, consts: Variance("STDDEV_SAMP", t.DOUBLE, 1, _VAR_STATE))


class Correlation(AggregateFunction):
    supports_undo = True

    def initialize(self):
        return [0, 0.0, 0.0, 0.0, 0.0, 0.0]    # n, sx, sy, sxx, syy, sxy

    def _apply(self, acc, x, y, sign):
        if x is None or y is None:
            return acc
        x, y = float(x), float(y)
        for i, d in enumerate((1, x, y, x * x, y * y, x * y)):
            acc[i] += sign * d
        return acc

    def aggregate(self, acc, x, y):
        return self._apply(acc, x, y, 1)

    def undo(self, acc, x, y):
        return self._apply(acc, x, y, -1)

    def merge(self, a, b):
        return [p + q for p, q in zip(a, b)]

    def result(self, acc):
        n, sx, sy, sxx, syy, sxy = acc
        cov = n * sxy - sx * sy
        den = ((n * sxx - sx * sx) * (n * syy - sy * sy)) ** 0.5 if n else 0.0
        if not n or den == 0:
            return float("nan")
        return cov / den


aggregate("CORRELATION", ["DOUBLE x", "DOUBLE y"], "The correlation of two columns.")(
    lambda arg_types, consts: Correlation("CORRELATION", t.DOUBLE, 2,
                                          t.struct([("N", t.BIGINT)])))


# -- ATTR / HISTOGRAM ---------------------------------------------------------------------
class Counter(AggregateFunction):
    """Counts per distinct value (hashable form) keeping the first-seen original value."""

    supports_undo = True

    def initialize(self):
        return {}

    def aggregate(self, acc, v):
        k = _hashable(v)
        if k in acc:
            acc[k][1] += 1
        elif self._accepts(acc, v):
            acc[k] = [v, 1]
        return acc

    def _accepts(self, acc, v):
        return True

    def undo(self, acc, v):
        k = _hashable(v)
        if k in acc:
            acc[k][1] -= 1
            if acc[k][1] <= 0:
                del acc[k]
        return acc

    def merge(self, a, b):
        out = {k: list(x) for k, x in a.items()}
        for k, (v, n) in b.items():
            if k in out:
                out[k][1] += n
            else:
                out[k] = [v, n]
        return out


class Attr(Counter):
    def result(self, acc):
        if len(acc) != 1:
            return None
        (v, _), = acc.values()
        return _copy(v)


class Histogram(Counter):
    def aggregate(self, acc, v):
        return acc if v is None else Counter.aggregate(self, acc, v)

    def _accepts(self, acc, v):
        return len(acc) < HISTOGRAM_LIMIT

    def undo(self, acc, v):
        return acc if v is None else Counter.undo(self, acc, v)

    def result(self, acc):
        return {v: n for v, n in acc.values()}


def _copy(v):
    if isinstance(v, list):
        return [_copy(x) for x in v]
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    return v


aggregate("ATTR", ["T col"], "The value if every row has the same one, else NULL.")(
    lambda arg_types, consts: Attr("ATTR", arg_types[0]))
aggregate("HISTOGRAM", ["STRING col"], "Counts of each distinct string (up to 1000).")(
    lambda arg_types, consts: Histogram("HISTOGRAM", t.map_of(t.STRING, t.BIGINT)))
