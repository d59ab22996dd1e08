"""The seed's join queries against independent pandas computations over the same datagen input."""

import json

import pandas as pd
import pytest

from ksql_magic.datagen import producer
from ksql_magic.datagen.registry import ddl_text, generate
from ksql_magic.engine import Engine
from ksql_magic.errors import KsqlStatementError
from kafka_support import on_each_broker  # noqa: F401 - fixture: memory, then Kafka

pytestmark = pytest.mark.usefixtures("on_each_broker")

HOUR = 3_600_000

SEED_ENRICHED = ("CREATE STREAM enriched_payments AS SELECT payment_id, u.country, total "
                 "FROM payments_stream p LEFT JOIN users_table u ON p.user_id = u.user_id;")
SEED_LATE = ("CREATE STREAM late_orders AS SELECT o.orderid, o.itemid FROM orders o "
             "FULL OUTER JOIN shipments s WITHIN 2 HOURS ON s.orderid = o.orderid "
             "WHERE s.orderid IS NULL;")


def _engine(domain: str, n: int):
    e = Engine()
    e.execute(ddl_text(domain))
    events = generate(domain, n=n, seed=7)
    return e, events


def _values(engine, topic):
    return [(r.key.decode() if r.key is not None else None, json.loads(r.value), r.timestamp)
            for r in engine.records(topic)]


def test_seed_enriched_payments_as_written_gets_ksqldb_key_error():
    e, _ = _engine("payments", 1)
    with pytest.raises(KsqlStatementError, match="must include the join expressions P.USER_ID or "
                                                 "U.USER_ID in its projection"):
        e.execute(SEED_ENRICHED)


def test_enriched_payments_matches_pandas_left_merge():
    e, events = _engine("payments", 2000)
    e.execute(SEED_ENRICHED.replace("SELECT payment_id", "SELECT p.user_id, payment_id"))
    producer.produce_events(e, events)
    e.drain()
    got = pd.DataFrame([{"USER_ID": k, **v} for k, v, _ in _values(e, "ENRICHED_PAYMENTS")])
    pays = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "payments"])
    users = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "users"])
    want = pays.merge(users[["user_id", "country"]], on="user_id", how="left")
    want = want.rename(columns=str.upper)[["USER_ID", "PAYMENT_ID", "COUNTRY", "TOTAL"]]
    got = got[["USER_ID", "PAYMENT_ID", "COUNTRY", "TOTAL"]]
    rows = lambda df: sorted(tuple(None if pd.isna(x) else x for x in r)
                             for r in df.itertuples(index=False))
    assert rows(got) == rows(want)
    assert got["COUNTRY"].isna().any()        # payments by unknown users keep NULL country


def test_seed_late_orders_as_written_gets_ksqldb_rowkey_error():
    e, _ = _engine("orders", 1)
    with pytest.raises(KsqlStatementError, match="must include the join expression ROWKEY"):
        e.execute(SEED_LATE)


def _late_orders_oracle(events, grace):
    """Orders with no shipment within 2 hours, once their window has closed by stream time."""
    orders = pd.DataFrame([{"orderid": ev["key"], "itemid": ev["value"]["itemid"], "ts": ev["timestamp"]}
                           for ev in events if ev["topic"] == "orders"])
    ships = pd.DataFrame([{"orderid": ev["key"], "sts": ev["timestamp"]}
                          for ev in events if ev["topic"] == "shipments"])
    m = orders.merge(ships, on="orderid", how="left")
    m["hit"] = (m["sts"] - m["ts"]).abs() <= 2 * HOUR
    hit = m.groupby("orderid")["hit"].any()
    stream_time = max(ev["timestamp"] for ev in events)
    closed = orders["ts"] + 2 * HOUR + grace < stream_time
    late = orders[closed & ~orders["orderid"].map(hit)]
    return sorted(late["orderid"])


def test_late_orders_with_grace_emits_unshipped_orders_when_window_closes():
    e, events = _engine("orders", 400)
    e.execute(SEED_LATE.replace("WITHIN 2 HOURS", "WITHIN 2 HOURS GRACE PERIOD 0 SECONDS")
              .replace("SELECT o.orderid", "SELECT ROWKEY AS k, o.orderid"))
    producer.produce_events(e, events)
    e.drain()
    got = sorted(v["O_ORDERID"] for _, v, _ in _values(e, "LATE_ORDERS"))
    want = _late_orders_oracle(events, 0)
    assert got == want
    tags = {ev["key"]: ev["tag"] for ev in events if ev["topic"] == "orders"}
    assert {tags[o] for o in got} == {"late_shipment", "missing_shipment"}


def test_late_orders_without_grace_emits_outer_rows_eagerly_like_ksqldb():
    e, events = _engine("orders", 200)
    e.execute(SEED_LATE.replace("SELECT o.orderid", "SELECT ROWKEY AS k, o.orderid"))
    producer.produce_events(e, events)
    e.drain()
    got = sorted(v["O_ORDERID"] for _, v, _ in _values(e, "LATE_ORDERS"))
    # without GRACE ksqlDB emits a null-padded row as soon as an order finds no shipment yet
    assert got == sorted(ev["key"] for ev in events if ev["topic"] == "orders")
