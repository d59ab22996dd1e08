"""failing_vehicles and daily_sales_per_item against independent pandas computations.

Both run over generated input with out-of-order records (accepted: inside the grace period)
and late ones (dropped: their window closed on stream time before they came).
"""

import pytest
import json
import random

import pandas as pd

from ksql_magic import Engine, datagen
from ksql_magic.datagen.producer import produce_events
from kafka_support import on_each_broker  # noqa: F401 - fixture: memory, then Kafka

pytestmark = pytest.mark.usefixtures("on_each_broker")

MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000

FAILING = ("CREATE TABLE failing_vehicles AS SELECT vehicle, COUNT(*) AS errors "
           "FROM vehicle_monitoring_stream WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 5 MINUTES) "
           "WHERE event_type = 'ERROR' GROUP BY vehicle HAVING COUNT(*) >= 3;")

ALL_SALES = ["CREATE STREAM all_sales (itemid BIGINT, price INTEGER) "
             "WITH (kafka_topic='all_sales', value_format='JSON', partitions=1);",
             "INSERT INTO all_sales SELECT itemid, price FROM sales_online;",
             "INSERT INTO all_sales SELECT itemid, price FROM sales_offline;",
             "CREATE TABLE daily_sales_per_item AS SELECT itemid, SUM(price) AS total "
             "FROM all_sales WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY itemid;"]


def _final_table(engine, topic, column, key_type=str) -> dict:
    """The table a consumer of the changelog topic ends with: last value per windowed key."""
    table = {}
    for r in engine.records(topic):
        inner = r.key[:-8]
        k = (inner.decode() if key_type is str else int.from_bytes(inner, "big", signed=True), r.window[0])
        if r.value is None:
            table.pop(k, None)
        else:
            table[k] = json.loads(r.value)[column]
    return table


def _pandas_windowed(df, size, grace, key, agg, value=None) -> pd.Series:
    """Stream time is the running max of event time in arrival order; a record whose window
    ended at least ``grace`` before that is late and dropped."""
    df = df.copy()
    stream_time = df["ts"].cummax()
    df["start"] = df["ts"] // size * size
    df = df[df["start"] + size > stream_time - grace]
    grouped = df.groupby([key, "start"])
    return grouped.size() if agg == "count" else grouped[value].agg(agg)


def _make_late(events, rng, fraction, back_ms):
    for e in events:
        if rng.random() < fraction:
            e["timestamp"] -= back_ms
    return events


def test_failing_vehicles_matches_pandas_with_disorder():
    events = datagen.generate("vehicle_monitoring", n=3000, seed=5, out_of_order_fraction=0.05)
    errors = [e for e in events if e["value"]["event_type"] == "ERROR"]
    _make_late(errors, random.Random(2), 0.1, 15 * MINUTE)
    engine = Engine()
    engine.execute(datagen.ddl("vehicle_monitoring"))
    engine.execute(FAILING)
    produce_events(engine, events)
    engine.drain()

    df = pd.DataFrame({"vehicle": [e["key"] for e in events], "ts": [e["timestamp"] for e in events],
                       "type": [e["value"]["event_type"] for e in events]})
    # WHERE runs before the window: only ERROR records move the aggregate's stream time.
    counts = _pandas_windowed(df[df["type"] == "ERROR"], MINUTE, 5 * MINUTE, "vehicle", "count")
    expected = {k: int(v) for k, v in counts[counts >= 3].items()}
    assert expected, "the generated input must contain failing vehicles"
    assert counts.sum() < len(errors), "some ERROR records must come too late"
    assert _final_table(engine, "FAILING_VEHICLES", "ERRORS") == expected


def test_daily_sales_per_item_matches_pandas_with_late_sales():
    events = datagen.generate("sales", n=2000, seed=9, spacing_ms=5 * MINUTE, out_of_order_fraction=0.05)
    _make_late(events, random.Random(4), 0.02, 2 * DAY)
    engine = Engine()
    engine.execute(datagen.ddl("sales"))
    for stmt in ALL_SALES:
        engine.execute(stmt)
    produce_events(engine, events)
    engine.drain()

    # all_sales receives both streams' records in produce order (the engine drains in it).
    df = pd.DataFrame({"item": [e["value"]["itemid"] for e in events],
                       "price": [e["value"]["price"] for e in events],
                       "ts": [e["timestamp"] for e in events]})
    sums = _pandas_windowed(df, DAY, HOUR, "item", "sum", "price")
    expected = {(int(k[0]), int(k[1])): int(v) for k, v in sums.items()}
    got = _final_table(engine, "DAILY_SALES_PER_ITEM", "TOTAL", key_type=int)
    assert len({k[1] for k in expected}) > 3, "the input must span several days"
    assert sums.sum() < df["price"].sum(), "some sales must come too late"
    assert got == expected
