"""The seed's streaming-ETL statements (clicks_from_vip_users, clicks_by_user_id, all_sales)
against independent computations (pandas, and a murmur2 written here) over datagen input.

Each seed statement is run as the slides wrote it (ksqlDB rejects some: the test pins the
error) and in its corrected form (the test pins the output).
"""

import json
import struct

import pandas as pd
import pytest

from ksql_magic.datagen import producer
from ksql_magic.datagen.registry import ddl_text, generate
from ksql_magic.engine import Engine
from ksql_magic.errors import KsqlStatementError
from kafka_support import on_each_broker  # noqa: F401 - fixture: memory, then Kafka

pytestmark = pytest.mark.usefixtures("on_each_broker")

VIP_AS_WRITTEN = ("CREATE STREAM clicks_from_vip_users AS SELECT user_id, u.country, page, action "
                  "FROM clickstream c LEFT JOIN users u ON c.user_id = u.user_id "
                  "WHERE u.level = 'Platinum';")
VIP_FIXED = VIP_AS_WRITTEN.replace("SELECT user_id", "SELECT c.user_id")
BY_USER = ("CREATE STREAM clicks_by_user_id WITH (PARTITIONS=6, TIMESTAMP='view_time', "
           "VALUE_FORMAT='JSON') AS SELECT * FROM clickstream PARTITION BY user_id;")
SKEW_MS = 12_345          # record timestamps differ from view_time, so TIMESTAMP= is visible


def _rows(df: pd.DataFrame) -> list:
    return sorted(tuple(None if pd.isna(x) else x for x in r) for r in df.itertuples(index=False))


def _clickstream(n: int, seed: int = 11):
    e = Engine()
    e.execute(ddl_text("clickstream"))
    events = generate("clickstream", n=n, seed=seed)
    for ev in events:
        if ev["topic"] == "clickstream":
            ev["timestamp"] = ev["value"]["view_time"] + SKEW_MS
    return e, events


# ------------------------------------------------------------------ clicks_from_vip_users ---

def test_vip_clicks_as_written_is_rejected_as_ambiguous_like_ksqldb():
    e, _ = _clickstream(1)
    with pytest.raises(KsqlStatementError, match=r"Column 'USER_ID' is ambiguous.*C\.USER_ID, U\.USER_ID"):
        e.execute(VIP_AS_WRITTEN)


def test_vip_clicks_match_pandas_left_merge_filtered_on_platinum():
    e, events = _clickstream(3000)
    e.execute(VIP_FIXED)
    producer.produce_events(e, events)
    e.drain()
    got = pd.DataFrame([{"USER_ID": r.key.decode(), **json.loads(r.value)}
                        for r in e.records("CLICKS_FROM_VIP_USERS")])
    clicks = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "clickstream"])
    users = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "users"])
    want = clicks.merge(users[["user_id", "country", "level"]], on="user_id", how="left")
    want = want[want["level"] == "Platinum"]
    want = want.rename(columns=str.upper)[["USER_ID", "COUNTRY", "PAGE", "ACTION"]]
    assert len(want) > 100
    assert _rows(got[["USER_ID", "COUNTRY", "PAGE", "ACTION"]]) == _rows(want)


# ---------------------------------------------------------------------- clicks_by_user_id ---

def _murmur2(data: bytes) -> int:
    """Kafka's murmur2, written independently of ksql_magic's (unsigned 32-bit arithmetic)."""
    m, mask = 0x5BD1E995, 0xFFFFFFFF
    h = (0x9747B28C ^ len(data)) & mask
    whole = len(data) // 4 * 4
    for (k,) in struct.iter_unpack("<I", data[:whole]):
        k = (k * m) & mask
        k = ((k ^ (k >> 24)) * m) & mask
        h = ((h * m) & mask) ^ k
    tail = data[whole:]
    for i in reversed(range(len(tail))):
        h ^= tail[i] << (8 * i)
    if tail:
        h = (h * m) & mask
    h = ((h ^ (h >> 13)) * m) & mask
    return h ^ (h >> 15)


def test_independent_murmur2_agrees_with_kafkas_published_values():
    # values from Kafka's own partitioner tests (signed Java ints)
    for text, java in (("21", -973932308), ("foobar", -790332482), ("abc", 479470107),
                       ("a-little-bit-long-string", -985981536),
                       ("a-little-bit-longer-string", -1486304829)):
        assert _murmur2(text.encode()) == java & 0xFFFFFFFF


def test_clicks_by_user_id_lands_each_record_where_murmur2_puts_its_key():
    e, events = _clickstream(2000)
    e.execute(BY_USER)
    producer.produce_events(e, events)
    e.drain()
    assert e.broker.topic("CLICKS_BY_USER_ID").partitions == 6
    out = e.records("CLICKS_BY_USER_ID")
    assert len(out) == sum(ev["topic"] == "clickstream" for ev in events)
    for r in out:
        assert r.partition == (_murmur2(r.key) & 0x7FFFFFFF) % 6
    assert len({r.partition for r in out}) > 1


def test_clicks_by_user_id_is_keyed_by_user_and_timed_by_view_time():
    e, events = _clickstream(500)
    e.execute(BY_USER)
    producer.produce_events(e, events)
    e.drain()
    got = sorted((r.key.decode(), json.loads(r.value)["VIEW_TIME"], r.timestamp)
                 for r in e.records("CLICKS_BY_USER_ID"))
    want = sorted((ev["value"]["user_id"], ev["value"]["view_time"], ev["value"]["view_time"])
                  for ev in events if ev["topic"] == "clickstream")
    assert got == want
    cols = [c.name for c in e.catalog.sources["CLICKS_BY_USER_ID"].value_columns]
    assert "USER_ID" not in cols and "VIEW_TIME" in cols


# ------------------------------------------------------------------------------ all_sales ---

ALL_SALES = ("CREATE STREAM all_sales (itemId BIGINT, price INTEGER) "
             "WITH (KAFKA_TOPIC='all_sales', VALUE_FORMAT='JSON', PARTITIONS=1);")


def test_all_sales_merges_both_streams_like_pandas_concat():
    e = Engine()
    e.execute(ddl_text("sales"))
    e.execute(ALL_SALES)
    e.execute("INSERT INTO all_sales SELECT itemId, price FROM sales_online;")
    e.execute("INSERT INTO all_sales SELECT itemId, price FROM sales_offline;")
    events = generate("sales", n=1500, seed=5)
    producer.produce_events(e, events)
    e.drain()
    got = pd.DataFrame([json.loads(r.value) for r in e.broker.records("all_sales")])
    parts = [pd.DataFrame([ev["value"] for ev in events if ev["topic"] == t])[["itemid", "price"]]
             for t in ("sales_online", "sales_offline")]
    want = pd.concat(parts).rename(columns=str.upper)
    assert _rows(got[["ITEMID", "PRICE"]]) == _rows(want)
    times = [r.timestamp for r in e.broker.records("all_sales")]
    assert sorted(times) == sorted(ev["timestamp"] for ev in events)


def test_all_sales_rejects_a_query_whose_columns_do_not_match_the_stream():
    e = Engine()
    e.execute(ddl_text("sales"))
    e.execute(ALL_SALES)
    with pytest.raises(KsqlStatementError, match="Incompatible schema between results and sink"):
        e.execute("INSERT INTO all_sales SELECT itemId, price, storeId FROM sales_offline;")


def test_all_sales_rejects_a_column_of_another_type():
    e = Engine()
    e.execute(ddl_text("sales"))
    e.execute(ALL_SALES)
    with pytest.raises(KsqlStatementError, match="Incompatible schema between results and sink"):
        e.execute("INSERT INTO all_sales SELECT itemId, CAST(price AS DOUBLE) AS price FROM sales_offline;")
