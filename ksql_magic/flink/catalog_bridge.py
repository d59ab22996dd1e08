"""The engine's catalog -> FlinkSource descriptions, the translation's view of each source.

Why its own module: ``translate`` knows no catalog; this is the one place that maps a
``catalog.Source`` (columns with namespaces, formats, event time, window) onto it.
"""

from __future__ import annotations

from ..catalog import Catalog, Source
from .translate import FlinkSource


def to_flink_source(src: Source, partitions: int = 1) -> FlinkSource:
    """Key columns first, then value columns (headers are not readable from Flink SQL and
    are left out; a query naming one fails translation as an unknown column)."""
    cols = tuple((c.name, c.type, True) for c in src.key_columns) + tuple(
        (c.name, c.type, False) for c in src.value_columns)
    return FlinkSource(name=src.name, kind=src.kind, topic=src.topic, columns=cols,
                       key_format=_key_format(src),
                       value_format=str(src.value_format).upper(),
                       timestamp_column=src.timestamp_column,
                       timestamp_format=src.timestamp_format, partitions=partitions,
                       windowed=src.window is not None)


def _key_format(src: Source) -> str:
    """A keyless stream's NONE key format becomes KAFKA: it is the default of a sink that
    gains a key (GROUP BY, PARTITION BY), as the in-kernel engine decides."""
    fmt = str(src.key_format).upper()
    return "KAFKA" if fmt == "NONE" and not src.key_columns else fmt


def flink_sources(catalog: Catalog, broker) -> dict[str, FlinkSource]:
    """Every stream and table of the catalog, by name."""
    out = {}
    for name, src in catalog.sources.items():
        info = broker.topic(src.topic)
        out[name] = to_flink_source(src, info.partitions if info else 1)
    return out
