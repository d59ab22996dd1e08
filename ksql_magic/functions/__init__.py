"""The function library: registry, scalar families, aggregates, table functions, Python UDFs.

The compiler uses ``registry.default_registry()``; notebook users use ``udfs.udf``/``udfs.udaf``.
"""
