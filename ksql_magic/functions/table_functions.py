"""Table functions (ksqlDB category TABLE): EXPLODE and CUBE_EXPLODE.

A table function returns a list; the runtime emits one row per element (and none for NULL or
an empty list).
"""

from __future__ import annotations

import itertools

from .registry import table


@table("EXPLODE", ["ARRAY<T> list"], "T", "One row per element of an array.")
@table("EXPLODE", ["ARRAY<DECIMAL> input"], lambda ts: ts[0].element)
def explode(arr):
    return [] if arr is None else list(arr)


@table("CUBE_EXPLODE", ["ARRAY<T> list"], "ARRAY<T>",
       "One row per combination of the elements and NULLs (the grouping-sets cube).")
def cube_explode(arr):
    if arr is None:
        return []
    n = len(arr)
    out = []
    for mask in range(2 ** n):
        combo = [arr[i] if mask >> (n - 1 - i) & 1 else None for i in range(n)]
        if combo not in out:
            out.append(combo)
    return out


_ = itertools
