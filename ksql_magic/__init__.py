"""ksql_magic: streaming SQL in the ksqlDB dialect, run inside a Jupyter kernel.

The public API is exactly what ``__all__`` lists; everything else is internal.
"""

from .errors import KsqlError, KsqlRuntimeError, KsqlStatementError, KsqlSyntaxError
from .brokers.base import Record

__all__ = [
    "Engine",
    "KsqlError",
    "KsqlRuntimeError",
    "KsqlStatementError",
    "KsqlSyntaxError",
    "Record",
    "load_ipython_extension",
    "udf",
    "udaf",
    "udtf",
]


def __getattr__(name):
    # Lazy: importing the package for its errors must not pull in pandas or widgets.
    if name == "Engine":
        from .engine import Engine
        return Engine
    if name in ("udf", "udaf", "udtf"):
        from .functions import udfs
        return getattr(udfs, name)
    if name == "load_ipython_extension":
        from .magics import load_ipython_extension
        return load_ipython_extension
    raise AttributeError(name)
