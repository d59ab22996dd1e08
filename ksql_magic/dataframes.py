"""pandas in and out: load a DataFrame into a topic, read a stream, table or topic back.

Kept apart so the engine imports pandas only when a user asks for a DataFrame.
"""

from __future__ import annotations

import json
from typing import Optional


def _jsonable(v):
    if hasattr(v, "item"):
        v = v.item()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def from_dataframe(engine, df, topic: str, *, timestamp: Optional[str] = None,
                   key: Optional[str] = None, partitions: int = 1) -> int:
    """Produce each row as a JSON value (and its ``key`` column as the record key), in row
    order, with one ``Engine.produce_batch``."""
    if engine.broker.topic(topic) is None:
        engine.broker.create_topic(topic, partitions)
    rows = df.to_dict(orient="records")
    values = [json.dumps({c: _jsonable(v) for c, v in row.items()}, default=str) for row in rows]
    keys = [None if row.get(key) is None else str(row.get(key)) for row in rows] if key else None
    stamps = [_epoch_ms(row.get(timestamp)) for row in rows] if timestamp else None
    return engine.produce_batch(topic, values, keys=keys, timestamps=stamps)


def _epoch_ms(ts) -> Optional[int]:
    """A row's timestamp cell as epoch milliseconds (a pandas Timestamp or a number)."""
    if ts is None:
        return None
    if hasattr(ts, "value"):                 # pandas Timestamp -> epoch ms
        return ts.value // 1_000_000
    return int(ts)


def to_dataframe(engine, name: str):
    """A stream's rows, a table's current rows, or a topic's raw records."""
    import pandas as pd
    src = engine.catalog.sources.get(name) or engine.catalog.sources.get(name.upper())
    if src is None:
        recs = engine.broker.records(name)
        return pd.DataFrame([{"partition": r.partition, "offset": r.offset, "timestamp": r.timestamp,
                              "key": r.key, "value": r.value} for r in recs])
    from .planner import Planner
    from .pull import snapshot
    planner = Planner(engine.catalog, engine.functions, engine.properties)
    return snapshot(engine, planner, src.name).to_pandas()
