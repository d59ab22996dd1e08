"""ARRAY scalar functions (ksqlDB category ARRAY).

Elements compare by value (lists and dicts included); NULL arrays give NULL unless ksqlDB says
otherwise (ARRAY_CONTAINS gives false).
"""

from __future__ import annotations

from .. import types as t
from .conversions import java_str
from .registry import scalar

A = "ARRAY"


def _distinct(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


@scalar("ARRAY_CONTAINS", ["ARRAY<T> array", "T value"], "BOOLEAN", A,
        "True if the array contains the value.")
def array_contains(arr, v):
    return arr is not None and v in arr


@scalar("ARRAY_DISTINCT", ["ARRAY<T> array"], "ARRAY<T>", A, "The distinct elements, in order.")
def array_distinct(arr):
    return None if arr is None else _distinct(arr)


@scalar("ARRAY_EXCEPT", ["ARRAY<T> left", "ARRAY<T> right"], "ARRAY<T>", A,
        "Distinct elements of left that are not in right.")
def array_except(a, b):
    if a is None or b is None:
        return None
    return [x for x in _distinct(a) if x not in b]


@scalar("ARRAY_INTERSECT", ["ARRAY<T> left", "ARRAY<T> right"], "ARRAY<T>", A,
        "Distinct elements present in both arrays.")
def array_intersect(a, b):
    if a is None or b is None:
        return None
    return [x for x in _distinct(a) if x in b]


@scalar("ARRAY_UNION", ["ARRAY<T> left", "ARRAY<T> right"], "ARRAY<T>", A,
        "Distinct elements of both arrays.")
def array_union(a, b):
    if a is None or b is None:
        return None
    return _distinct(a + b)


@scalar("ARRAY_CONCAT", ["ARRAY<T> left", "ARRAY<T> right"], "ARRAY<T>", A,
        "The elements of left followed by those of right.")
def array_concat(a, b):
    if a is None and b is None:
        return None
    return list(a or []) + list(b or [])


@scalar("ARRAY_JOIN", ["ARRAY<T> array"], "STRING", A,
        "The elements as text joined by a delimiter (default ',').")
def array_join(arr):
    return array_join_delim(arr, ",")


@scalar("ARRAY_JOIN", ["ARRAY<T> array", "STRING delimiter"], "STRING", A)
def array_join_delim(arr, delim):
    if arr is None:
        return None
    return (delim or "").join(java_str(x) for x in arr)


@scalar("ARRAY_LENGTH", ["ARRAY<T> array"], "INTEGER", A, "The number of elements.")
def array_length(arr):
    return None if arr is None else len(arr)


def _sort_key(x):
    return x


@scalar("ARRAY_MAX", ["ARRAY<T> array"], "T", A, "The largest non-NULL element.")
def array_max(arr):
    vals = [x for x in arr or () if x is not None]
    return max(vals) if vals else None


@scalar("ARRAY_MIN", ["ARRAY<T> array"], "T", A, "The smallest non-NULL element.")
def array_min(arr):
    vals = [x for x in arr or () if x is not None]
    return min(vals) if vals else None


@scalar("ARRAY_SORT", ["ARRAY<T> array"], "ARRAY<T>", A,
        "The elements sorted ('ASC' or 'DESC'), NULLs last.")
def array_sort(arr):
    return array_sort_dir(arr, "ASC")


@scalar("ARRAY_SORT", ["ARRAY<T> array", "STRING direction"], "ARRAY<T>", A)
def array_sort_dir(arr, direction):
    if arr is None or direction is None:
        return None
    d = direction.upper()
    if d not in ("ASC", "DESC"):
        return None
    vals = sorted((x for x in arr if x is not None), reverse=d == "DESC")
    return vals + [None] * (len(arr) - len(vals))


@scalar("ARRAY_REMOVE", ["ARRAY<T> array", "T victim"], "ARRAY<T>", A,
        "The array without any element equal to victim.")
def array_remove(arr, victim):
    if arr is None:
        return None
    return [x for x in arr if x != victim]


@scalar("SLICE", ["ARRAY<T> list", "INTEGER from", "INTEGER to"], "ARRAY<T>", A,
        "Elements from..to, 1-based and inclusive.")
def slice_(arr, start, end):
    if arr is None or start is None or end is None:
        return None
    lo = max(start, 1) - 1
    return arr[lo:max(end, 0)]


def _series(step_default):
    def fn(start, end, step=None):
        if start is None or end is None:
            return None
        step = step if step is not None else (1 if end >= start else -1)
        if step == 0 or (end - start) * step < 0:
            raise ValueError("GENERATE_SERIES step has wrong sign")
        return list(range(start, end + (1 if step > 0 else -1), step))
    return fn


for _ty in ("INTEGER", "BIGINT"):
    scalar("GENERATE_SERIES", ["%s start" % _ty, "%s end" % _ty], "ARRAY<%s>" % _ty, A,
           "The integers from start to end inclusive (optionally by step).")(_series(1))
    scalar("GENERATE_SERIES", ["%s start" % _ty, "%s end" % _ty, "INTEGER step"],
           "ARRAY<%s>" % _ty, A)(_series(1))


def _entries_type(ts):
    m = ts[0]
    value = m.value if m.base == "MAP" and m.value is not None else t.NULL
    return t.array(t.struct([("K", t.STRING), ("V", value)]))


@scalar("ENTRIES", ["MAP<STRING, T> map", "BOOLEAN sorted"], _entries_type, A,
        "The map as an array of STRUCT<K, V>, optionally sorted by key.")
def entries(m, sort):
    if m is None or sort is None:
        return None
    items = sorted(m.items(), key=lambda kv: kv[0]) if sort else m.items()
    return [{"K": k, "V": v} for k, v in items]
