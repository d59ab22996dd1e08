"""The seed's persistent queries on a real Flink cluster, over Tansu, checked against pandas.

The cluster (standalone Flink + SQL Gateway + Tansu on loopback) is the one
tests/flink_support.py starts once per test process (skipped only if Java or the install is
unavailable). Windowed results are final (Flink emits a window once the watermark passes
it), so each input ends with a sentinel record far in the future that closes every window.
"""

from __future__ import annotations

import json
import struct
import time
import uuid

import pandas as pd
import pytest

from flink_support import shared_cluster
from ksql_magic import types as T
from ksql_magic.errors import KsqlStatementError
from ksql_magic.flink import FlinkBackend, FlinkSource, translate
from ksql_magic.sql.parser import parse_statement

pytestmark = pytest.mark.flink
BASE = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000      # a day boundary
SENTINEL_TS = BASE + 40 * 86_400_000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A FlinkBackend on the process-wide cluster (tests/flink_support.py)."""
    env = shared_cluster(tmp_path_factory)
    backend = FlinkBackend(env.gateway_url, env.bootstrap, rest_url=env.rest_url)
    yield backend
    for job in backend.jobs():
        if job["state"] == "RUNNING":
            backend.cluster.cancel(job["job_id"])


# ---------------------------------------------------------------------------------------
# Kafka helpers (kafka-python directly)
# ---------------------------------------------------------------------------------------

def create_topics(bootstrap: str, *names: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(n, 1, 1) for n in names])
    admin.close()


def produce(bootstrap: str, topic: str, rows) -> None:
    """rows: (key bytes|None, value dict, timestamp ms)."""
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    for key, value, ts in rows:
        producer.send(topic, key=key, value=json.dumps(value).encode(), timestamp_ms=ts)
    producer.flush()
    producer.close()


def consume(bootstrap: str, topic: str) -> list:
    """Every record of a topic: fetch until a fetch at our position returns nothing."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=1500)
    consumer.assign([TopicPartition(topic, 0)])
    records = list(consumer)
    consumer.close()
    return records


def wait_for(bootstrap, topic, done, timeout=90.0):
    """Poll a sink topic until ``done(records)`` holds (or time out and return what is there)."""
    deadline = time.monotonic() + timeout
    records = []
    while time.monotonic() < deadline:
        records = consume(bootstrap, topic)
        if done(records):
            return records
        time.sleep(1.0)
    return records


def run(backend, sql: str, sources: dict, sink=None) -> str:
    plan = translate(parse_statement(sql), sources, sink)
    t0 = time.monotonic()
    job = backend.submit(plan)
    print("%s submitted in %.1fs" % (plan.name, time.monotonic() - t0))
    return job


def suffix() -> str:
    return uuid.uuid4().hex[:8]


# ---------------------------------------------------------------------------------------
# possible_fraud
# ---------------------------------------------------------------------------------------

def fraud_input(n_cards=150, seed=7):
    import random
    rnd = random.Random(seed)
    rows = []
    for i in range(n_cards):
        card = "card-%03d" % i
        burst = rnd.random() < 0.3
        count = rnd.randint(4, 9) if burst else rnd.randint(1, 3)
        start = BASE + rnd.randint(0, 3600_000)
        for _ in range(count):
            rows.append((card, {"AMOUNT": rnd.randint(1, 900)},
                         start + rnd.randint(0, 200_000 if burst else 3600_000)))
    rows.sort(key=lambda r: r[2])
    for i in range(0, len(rows) - 1, 17):          # some out-of-order records
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


def test_possible_fraud_on_flink_equals_pandas(cluster):
    s = suffix()
    src_topic, out_topic = "attempts_" + s, "possible_fraud_" + s
    create_topics(cluster.bootstrap_servers, src_topic, out_topic)
    rows = fraud_input()
    produce(cluster.bootstrap_servers, src_topic,
            [(c.encode(), v, ts) for c, v, ts in rows] + [(b"sentinel", {"AMOUNT": 0},
                                                           SENTINEL_TS)])
    sources = {"AUTHORIZATION_ATTEMPTS": FlinkSource(
        "AUTHORIZATION_ATTEMPTS", "STREAM", src_topic,
        (("CARD_NUMBER", T.STRING, True), ("AMOUNT", T.INTEGER, False)))}
    run(cluster, "CREATE TABLE possible_fraud WITH (KAFKA_TOPIC='%s') AS "
                 "SELECT card_number, COUNT(*) FROM authorization_attempts "
                 "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number "
                 "HAVING COUNT(*) > 3;" % out_topic, sources)

    df = pd.DataFrame(rows, columns=["card", "v", "ts"])
    df["ws"] = df.ts // 300_000 * 300_000
    counts = df.groupby(["card", "ws"]).size()
    expected = {(c, ws): n for (c, ws), n in counts.items() if n > 3}

    def table(records):
        out = {}
        for r in records:
            v = json.loads(r.value)
            assert v["WINDOW_END"] - v["WINDOW_START"] == 300_000
            out[(r.key.decode(), v["WINDOW_START"])] = v["KSQL_COL_0"]
        return out

    records = wait_for(cluster.bootstrap_servers, out_topic,
                       lambda rs: len(rs) >= len(expected))
    assert expected and table(records) == expected


# ---------------------------------------------------------------------------------------
# failing_vehicles
# ---------------------------------------------------------------------------------------

def test_failing_vehicles_on_flink_equals_pandas(cluster):
    import random
    rnd = random.Random(11)
    s = suffix()
    src_topic, out_topic = "vehicles_" + s, "failing_vehicles_" + s
    create_topics(cluster.bootstrap_servers, src_topic, out_topic)
    rows = []
    for i in range(60):
        vehicle = "truck-%02d" % i
        for _ in range(rnd.randint(2, 12)):
            rows.append((vehicle, {"EVENT_TYPE": rnd.choice(["ERROR", "ERROR", "OK", "WARN"])},
                         BASE + rnd.randint(0, 600_000)))
    rows.sort(key=lambda r: r[2])
    produce(cluster.bootstrap_servers, src_topic,
            [(v.encode(), e, ts) for v, e, ts in rows] + [(b"sentinel", {"EVENT_TYPE": "OK"},
                                                           SENTINEL_TS)])
    sources = {"VEHICLE_MONITORING_STREAM": FlinkSource(
        "VEHICLE_MONITORING_STREAM", "STREAM", src_topic,
        (("VEHICLE", T.STRING, True), ("EVENT_TYPE", T.STRING, False)))}
    run(cluster, "CREATE TABLE failing_vehicles WITH (KAFKA_TOPIC='%s') AS "
                 "SELECT vehicle, COUNT(*) FROM vehicle_monitoring_stream "
                 "WINDOW TUMBLING (SIZE 1 MINUTE) WHERE event_type = 'ERROR' "
                 "GROUP BY vehicle HAVING COUNT(*) >= 3;" % out_topic, sources)

    df = pd.DataFrame([(v, e["EVENT_TYPE"], ts) for v, e, ts in rows],
                      columns=["vehicle", "event_type", "ts"])
    errors = df[df.event_type == "ERROR"].assign(ws=lambda d: d.ts // 60_000 * 60_000)
    counts = errors.groupby(["vehicle", "ws"]).size()
    expected = {(v, ws): n for (v, ws), n in counts.items() if n >= 3}
    records = wait_for(cluster.bootstrap_servers, out_topic,
                       lambda rs: len(rs) >= len(expected))
    got = {(r.key.decode(), json.loads(r.value)["WINDOW_START"]):
           json.loads(r.value)["KSQL_COL_0"] for r in records}
    assert expected and got == expected


# ---------------------------------------------------------------------------------------
# enriched_payments: stream-table LEFT JOIN as a temporal join
# ---------------------------------------------------------------------------------------

def test_enriched_payments_on_flink_equals_pandas_as_of_merge(cluster):
    import random
    rnd = random.Random(5)
    s = suffix()
    users_topic, pay_topic, out_topic = "users_" + s, "payments_" + s, "enriched_" + s
    create_topics(cluster.bootstrap_servers, users_topic, pay_topic, out_topic)
    users = [("u%02d" % i, rnd.choice(["JP", "US", "DE"]), BASE + i) for i in range(30)]
    users += [("u03", "FR", BASE + 500_000), ("u07", "BR", BASE + 700_000)]   # moves
    # A temporal join emits a payment once both sides' watermarks pass it: each topic ends
    # with a sentinel far in the future (the idle timeout did not always advance the table's).
    produce(cluster.bootstrap_servers, users_topic,
            [(u.encode(), {"COUNTRY": c}, ts) for u, c, ts in users]
            + [(b"sentinel", {"COUNTRY": "--"}, SENTINEL_TS)])
    payments = [(i, "u%02d" % rnd.randint(0, 39), round(rnd.uniform(1, 500), 2),
                 BASE + 1000 + i * 3000) for i in range(400)]
    produce(cluster.bootstrap_servers, pay_topic,
            [(None, {"PAYMENT_ID": p, "USER_ID": u, "TOTAL": t}, ts) for p, u, t, ts in payments]
            + [(None, {"PAYMENT_ID": -1, "USER_ID": "none", "TOTAL": 0.0}, SENTINEL_TS)])
    sources = {
        "USERS_TABLE": FlinkSource("USERS_TABLE", "TABLE", users_topic,
                                   (("USER_ID", T.STRING, True), ("COUNTRY", T.STRING, False))),
        "PAYMENTS_STREAM": FlinkSource("PAYMENTS_STREAM", "STREAM", pay_topic, (
            ("PAYMENT_ID", T.INTEGER, False), ("USER_ID", T.STRING, False),
            ("TOTAL", T.DOUBLE, False)))}
    run(cluster, "CREATE STREAM enriched_payments WITH (KAFKA_TOPIC='%s') AS "
                 "SELECT payment_id, u.country, total FROM payments_stream p "
                 "LEFT JOIN users_table u ON p.user_id = u.user_id;" % out_topic, sources)

    pay = pd.DataFrame(payments, columns=["payment_id", "user_id", "total", "ts"])
    usr = pd.DataFrame(users, columns=["user_id", "country", "ts"]).sort_values("ts")
    merged = pd.merge_asof(pay.sort_values("ts"), usr, on="ts", by="user_id",
                           direction="backward")
    expected = {int(r.payment_id): (None if pd.isna(r.country) else r.country, r.total)
                for r in merged.itertuples()}
    records = wait_for(cluster.bootstrap_servers, out_topic,
                       lambda rs: len(rs) >= len(expected) + 1)
    got = {}
    for r in records:
        v = json.loads(r.value)
        got[v["PAYMENT_ID"]] = (v["COUNTRY"], v["TOTAL"])
    got.pop(-1, None)                       # the sentinel
    assert got == expected


# ---------------------------------------------------------------------------------------
# all_sales (two INSERT INTO jobs) -> daily_sales_per_item
# ---------------------------------------------------------------------------------------

def test_daily_sales_per_item_over_merged_streams_equals_pandas(cluster):
    import random
    rnd = random.Random(3)
    s = suffix()
    online, offline, all_sales, out = ("sales_online_" + s, "sales_offline_" + s,
                                       "all_sales_" + s, "daily_sales_" + s)
    create_topics(cluster.bootstrap_servers, online, offline, all_sales, out)
    on_rows = [(rnd.randint(1, 8), rnd.randint(1, 50), BASE + rnd.randint(0, 3 * 86_400_000))
               for _ in range(300)]
    off_rows = [(rnd.randint(1, 8), rnd.randint(1, 50), BASE + rnd.randint(0, 3 * 86_400_000))
                for _ in range(200)]
    # the two INSERT jobs interleave days of data in any order: a 7-day grace keeps them all
    produce(cluster.bootstrap_servers, online,
            [(None, {"ITEMID": i, "PRICE": p, "SHIPMENTID": 1}, ts) for i, p, ts in on_rows])
    produce(cluster.bootstrap_servers, offline,
            [(None, {"ITEMID": i, "PRICE": p, "STOREID": 2}, ts) for i, p, ts in off_rows])
    sources = {
        "SALES_ONLINE": FlinkSource("SALES_ONLINE", "STREAM", online, (
            ("ITEMID", T.BIGINT, False), ("PRICE", T.INTEGER, False),
            ("SHIPMENTID", T.BIGINT, False))),
        "SALES_OFFLINE": FlinkSource("SALES_OFFLINE", "STREAM", offline, (
            ("ITEMID", T.BIGINT, False), ("PRICE", T.INTEGER, False),
            ("STOREID", T.BIGINT, False))),
        "ALL_SALES": FlinkSource("ALL_SALES", "STREAM", all_sales, (
            ("ITEMID", T.BIGINT, False), ("PRICE", T.INTEGER, False)))}
    run(cluster, "INSERT INTO all_sales SELECT itemId, price FROM sales_online;", sources)
    run(cluster, "INSERT INTO all_sales SELECT itemId, price FROM sales_offline;", sources)
    merged = wait_for(cluster.bootstrap_servers, all_sales, lambda rs: len(rs) >= 500)
    assert len(merged) == 500
    produce(cluster.bootstrap_servers, all_sales, [(None, {"ITEMID": -1, "PRICE": 0},
                                                    SENTINEL_TS)])
    run(cluster, "CREATE TABLE daily_sales_per_item WITH (KAFKA_TOPIC='%s') AS "
                 "SELECT itemId, SUM(price) FROM all_sales "
                 "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 7 DAYS) GROUP BY itemId;" % out,
        sources)

    df = pd.DataFrame(on_rows + off_rows, columns=["item", "price", "ts"])
    df["day"] = df.ts // 86_400_000 * 86_400_000
    expected = {(int(i), int(d)): int(p) for (i, d), p in
                df.groupby(["item", "day"]).price.sum().items()}
    records = wait_for(cluster.bootstrap_servers, out, lambda rs: len(rs) >= len(expected))
    got = {(struct.unpack(">q", r.key)[0], json.loads(r.value)["WINDOW_START"]):
           json.loads(r.value)["KSQL_COL_0"] for r in records}
    assert got == expected


# ---------------------------------------------------------------------------------------
# Jobs: listing, cancelling, and refusals that leave nothing behind
# ---------------------------------------------------------------------------------------

def test_jobs_are_listed_and_cancelled(cluster):
    s = suffix()
    create_topics(cluster.bootstrap_servers, "in_" + s, "out_" + s)
    sources = {"SRC": FlinkSource("SRC", "STREAM", "in_" + s, (("K", T.STRING, True),
                                                               ("V", T.INTEGER, False)))}
    job = run(cluster, "CREATE STREAM copy WITH (KAFKA_TOPIC='out_%s') AS "
                       "SELECT k, v * 2 AS v2 FROM src WHERE v > 1;" % s, sources)
    assert any(j["job_id"] == job and j["state"] in ("RUNNING", "CREATED", "INITIALIZING")
               for j in cluster.jobs())
    assert cluster.cancel(job) == "CANCELED"


def test_explain_shows_the_generated_flink_sql_and_flink_plan(cluster):
    sources = {"SRC": FlinkSource("SRC", "STREAM", "explain_in", (("K", T.STRING, True),
                                                                  ("V", T.INTEGER, False)))}
    plan = translate(parse_statement("CREATE STREAM e AS SELECT k, v FROM src;"), sources)
    text = cluster.explain(plan)
    assert "CREATE TEMPORARY TABLE `SRC`" in text and "== Abstract Syntax Tree ==" in text


def test_untranslatable_statements_leave_no_job_behind(cluster):
    from test_flink_translate import UNTRANSLATABLE, catalog
    before = {j["job_id"] for j in cluster.jobs()}
    for sql, _ in UNTRANSLATABLE.values():
        with pytest.raises(KsqlStatementError):
            cluster.submit(translate(parse_statement(sql), catalog()))
    assert {j["job_id"] for j in cluster.jobs()} == before
