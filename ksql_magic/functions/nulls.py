"""NULL-handling functions (ksqlDB category NULL): COALESCE, IFNULL, NULLIF."""

from __future__ import annotations

from .registry import scalar

N = "NULL"


@scalar("COALESCE", ["T first", "T others"], "T", N, "The first non-NULL argument.",
        variadic=True)
def coalesce(*xs):
    for x in xs:
        if x is not None:
            return x
    return None


@scalar("IFNULL", ["T expression", "T altValue"], "T", N,
        "The expression, or altValue when it is NULL.")
def ifnull(x, alt):
    return alt if x is None else x


@scalar("NULLIF", ["T expr1", "T expr2"], "T", N, "NULL when both are equal, else expr1.")
def nullif(a, b):
    return None if a is not None and a == b else a


@scalar("AS_VALUE", ["T source"], "T", "OTHER",
        "Used in the projection of a query to copy a key column into the value schema; "
        "has no effect anywhere else.")
def as_value(x):
    """Listed by SHOW FUNCTIONS / DESCRIBE FUNCTION (ksqlDB's AsValue); the compiler reads
    AS_VALUE(x) as x itself."""
    return x
