"""pandas in and out: load a DataFrame into a topic, read a stream, table or topic back.

Kept apart so the engine imports pandas only when a user asks for a DataFrame.
"""

from __future__ import annotations

import datetime as dt
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


TIME_NAMES = frozenset({"WINDOWSTART", "WINDOWEND", "ROWTIME"})   # epoch ms by definition
EPOCH = dt.date(1970, 1, 1)


def time_kind(column: str, sql_type=None) -> str | None:
    """How a column's values read as time: 'timestamp' (epoch ms: window bounds, ROWTIME,
    TIMESTAMP), 'date' (days since the epoch) or 'time' (ms of the day); None otherwise."""
    base = getattr(sql_type, "base", sql_type)
    base = str(base).upper() if base is not None else None
    if column.upper() in TIME_NAMES or base == "TIMESTAMP":
        return "timestamp"
    return {"DATE": "date", "TIME": "time"}.get(base)


def _as_date(days):
    return None if days is None else EPOCH + dt.timedelta(days=int(days))


def _as_time(ms):
    if ms is None:
        return None
    ms = int(ms)
    return dt.time(ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000 * 1000)


def frame(columns: list, rows: list, types=None):
    """A DataFrame of a result's rows (lists or dicts) in which time reads as time, as the
    live table shows it: window bounds, ROWTIME and TIMESTAMP columns become
    ``datetime64[ms]`` (UTC, like ksqlDB), DATE columns ``datetime.date``, TIME columns
    ``datetime.time``. ``types`` maps a column name to its SQL type (or type name)."""
    import pandas as pd
    df = pd.DataFrame(rows, columns=columns)
    types = types or {}
    for column in columns:
        kind = time_kind(column, types.get(column))
        if kind is None or not len(df):
            continue
        if _all_ints(df[column]):
            if kind == "timestamp":
                df[column] = pd.to_datetime(df[column], unit="ms").astype("datetime64[ms]")
            else:
                convert = _as_date if kind == "date" else _as_time
                df[column] = pd.Series([convert(v) for v in _values(df[column])], index=df.index,
                                       dtype=object)
        elif _all_text(df[column]):       # ksqlDB's ISO text, as query rows show it
            df[column] = _from_iso(pd, df[column], kind)
    return df


def _all_text(series) -> bool:
    return all(isinstance(v, str) for v in _values(series) if v is not None)


def _from_iso(pd, series, kind: str):
    """ISO text (``2021-03-04T05:06:07.089``, ``2021-03-04``, ``05:06:07``) back to time."""
    try:
        if kind == "timestamp":
            return pd.to_datetime(series, format="ISO8601").astype("datetime64[ms]")
        parse = dt.date.fromisoformat if kind == "date" else dt.time.fromisoformat
        return pd.Series([None if v is None else parse(v) for v in _values(series)],
                         index=series.index, dtype=object)
    except ValueError:            # not ISO after all: left as the text it is
        return series


def _values(series) -> list:
    return [None if v is None or v != v else v for v in series.tolist()]


def _all_ints(series) -> bool:
    """Only whole numbers (or nulls, which make pandas hold ints as floats): anything
    else is left as it is."""
    return all((isinstance(v, int) and not isinstance(v, bool))
               or (isinstance(v, float) and v.is_integer())
               for v in _values(series) if v is not None)


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
