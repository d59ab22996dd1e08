"""Engine.to_dataframe / from_dataframe: the way out to pandas and back."""

import json

import pandas as pd

from ksql_magic import Engine


def _engine_with_prices():
    engine = Engine({"auto.offset.reset": "earliest"})
    engine.execute("CREATE TABLE prices (sku VARCHAR PRIMARY KEY, price DOUBLE) "
                   "WITH (KAFKA_TOPIC='prices', VALUE_FORMAT='JSON', PARTITIONS=1);")
    for sku, price in [("tea", 3.0), ("jam", 4.5), ("tea", 3.5)]:
        engine.produce("prices", json.dumps({"PRICE": price}), key=sku)
    engine.produce("prices", None, key="jam")          # a tombstone deletes jam
    return engine


def test_plain_table_exports_its_latest_rows():
    # A plain CREATE TABLE is not pull-queryable in ksqlDB, but it still exports.
    with _engine_with_prices() as engine:
        df = engine.to_dataframe("prices")
    assert df.to_dict(orient="records") == [{"SKU": "tea", "PRICE": 3.5}]


def test_stream_exports_every_row():
    with Engine({"auto.offset.reset": "earliest"}) as engine:
        engine.execute("CREATE STREAM clicks (page VARCHAR) "
                       "WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);")
        for page in ["home", "cart", "home"]:
            engine.produce("clicks", json.dumps({"PAGE": page}))
        df = engine.to_dataframe("clicks")
    assert list(df["PAGE"]) == ["home", "cart", "home"]


def test_unknown_name_reads_the_topic_raw():
    with Engine() as engine:
        engine.create_topic("raw", partitions=1)
        engine.produce("raw", "hello", key="k")
        df = engine.to_dataframe("raw")
    assert list(df.columns) == ["partition", "offset", "timestamp", "key", "value"]
    assert df.loc[0, "value"] == b"hello"


def test_dataframe_round_trips_through_a_topic():
    frame = pd.DataFrame({"SKU": ["tea", "jam"], "PRICE": [3.0, 4.5]})
    with Engine({"auto.offset.reset": "earliest"}) as engine:
        assert engine.from_dataframe(frame, "stock", key="SKU") == 2
        engine.execute("CREATE STREAM stock (sku VARCHAR, price DOUBLE) "
                       "WITH (KAFKA_TOPIC='stock', VALUE_FORMAT='JSON');")
        back = engine.to_dataframe("stock")
    assert back.to_dict(orient="records") == frame.to_dict(orient="records")


def _engine_with_times():
    engine = Engine({"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM events (id VARCHAR KEY, at TIMESTAMP, day DATE, clock TIME, "
                   "n INT) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.execute("INSERT INTO events (id, at, day, clock, n, ROWTIME) VALUES ('e1', "
                   "'2026-03-04T05:06:07.089', '2026-03-04', '05:06:07', 1, 1772600767089);")
    return engine


def test_pull_query_gives_timestamp_date_and_time_columns_as_python_time():
    import datetime as dt
    with _engine_with_times() as engine:
        df = engine.execute("SELECT * FROM events;")[0].to_pandas()
    assert str(df["AT"].dtype) == "datetime64[ms]"
    assert df.loc[0, "AT"] == pd.Timestamp("2026-03-04 05:06:07.089")
    assert df.loc[0, "DAY"] == dt.date(2026, 3, 4) and df.loc[0, "CLOCK"] == dt.time(5, 6, 7)
    assert df.loc[0, "N"] == 1


def test_window_bounds_export_as_datetimes():
    with _engine_with_times() as engine:
        engine.execute("CREATE TABLE per_day AS SELECT id, COUNT(*) AS n FROM events "
                       "WINDOW TUMBLING (SIZE 1 DAY) GROUP BY id;")
        engine.drain()
        df = engine.to_dataframe("PER_DAY")
    assert str(df["WINDOWSTART"].dtype) == "datetime64[ms]"
    assert df.loc[0, "WINDOWSTART"] == pd.Timestamp("2026-03-04")
    assert df.loc[0, "WINDOWEND"] == pd.Timestamp("2026-03-05")


def test_push_query_snapshot_gives_timestamps_as_datetimes():
    with _engine_with_times() as engine:
        handle = engine.execute("SELECT id, at FROM events EMIT CHANGES;")[0].handle
        handle.wait(rows=1, timeout=5)
        df = handle.to_pandas()
    assert df.loc[0, "AT"] == pd.Timestamp("2026-03-04 05:06:07.089")


def test_null_timestamps_become_nat():
    from ksql_magic.dataframes import frame
    df = frame(["WINDOWSTART", "X"], [[None, 1], [86_400_000, 2]])
    assert pd.isna(df.loc[0, "WINDOWSTART"]) and df.loc[1, "WINDOWSTART"] == pd.Timestamp("1970-01-02")
