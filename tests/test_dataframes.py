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
