"""The seed's persistent queries through the Engine API on a real Flink cluster, over Tansu.

Each query runs twice on the same input: on Flink (``Engine(bootstrap_servers=...,
flink=...)``, results read back in the kernel by a push query on the sink) and on the
in-kernel engine over the embedded broker. The final tables (per key and window) must be
equal. Flink's windowed aggregates are final, so every input ends with a sentinel record far
in the future that closes the windows (it is left out of the comparison).
"""

from __future__ import annotations

import json
import time

import pytest

from flink_support import produce, shared_cluster, suffix
from ksql_magic import Engine
from ksql_magic.errors import KsqlError
from ksql_magic.flink.gateway import ClusterRest

pytestmark = pytest.mark.flink
cluster = pytest.fixture(scope="module")(shared_cluster)

BASE = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000      # a day boundary
SENTINEL_TS = BASE + 40 * 86_400_000
EARLIEST = {"auto.offset.reset": "earliest"}
DAILY_KEYS = ["ITEMID", "WINDOWSTART"]


@pytest.fixture
def flink(cluster):
    engine = Engine(dict(EARLIEST), bootstrap_servers=cluster.bootstrap,
                    flink=cluster.gateway_url, flink_rest=cluster.rest_url)
    yield engine
    engine.flink.cancel_all()
    engine.close()


# ---------------------------------------------------------------------------------------
# Running one scenario on both engines
# ---------------------------------------------------------------------------------------

def feed_kernel(engine, inputs) -> None:
    """inputs: (topic, key str|None, value dict, ts), produced in event-time order."""
    for topic, key, value, ts in sorted(inputs, key=lambda r: r[3]):
        engine.produce(topic, json.dumps(value), key, ts)


def feed_kafka(bootstrap, inputs) -> None:
    by_topic: dict[str, list] = {}
    for topic, key, value, ts in sorted(inputs, key=lambda r: r[3]):
        by_topic.setdefault(topic, []).append(
            (None if key is None else key.encode(), json.dumps(value).encode(), ts))
    for topic, rows in by_topic.items():
        produce(bootstrap, topic, rows)


def final_rows(handle, keys) -> list[dict]:
    """A push query's final table, folded from its changes per ``keys`` columns (the key
    and window bounds); a stream's rows when ``keys`` is None."""
    _, changes = handle.changes(0)
    if keys is None:
        return [c.row for c in changes if c.op == "append"]
    state = {}
    for c in changes:
        if c.op == "upsert":
            state[tuple(c.row[k] for k in keys)] = c.row
    return list(state.values())


def kernel_rows(ddl: str, statements: str, inputs, read: str, keys) -> tuple[list, list]:
    """(columns, rows) of ``read`` after the in-kernel engine ran everything."""
    with Engine(dict(EARLIEST)) as engine:
        engine.execute(ddl)
        engine.execute(statements)
        feed_kernel(engine, inputs)
        engine.drain()
        handle = engine.execute(read)[0].handle
        engine.drain()
        return handle.columns, final_rows(handle, keys)


def flink_rows(engine, read: str, keep, n: int, keys, timeout: float = 90.0):
    """Rows of a push query in the Flink engine once ``n`` rows pass ``keep``."""
    handle = engine.execute(read)[0].handle
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        handle.wait(timeout=1.0)
        rows = [r for r in final_rows(handle, keys) if keep(r)]
        if len(rows) >= n:
            break
    return handle.columns, rows


def canon(rows) -> list:
    return sorted((tuple(sorted(r.items())) for r in rows), key=repr)


def assert_same_on_both(flink, ddl, statements, inputs, read, keys, keep=lambda r: True):
    k_cols, k_rows = kernel_rows(ddl, statements, inputs, read, keys)
    expected = [r for r in k_rows if keep(r)]
    flink.execute(ddl)
    feed_kafka(flink.flink.backend.bootstrap_servers, inputs)
    flink.execute(statements)
    f_cols, got = flink_rows(flink, read, keep, len(expected), keys)
    assert expected, "the scenario produced no rows"
    assert f_cols == k_cols
    assert canon(got) == canon(expected)


# ---------------------------------------------------------------------------------------
# The seed's queries
# ---------------------------------------------------------------------------------------

def test_possible_fraud_on_flink_equals_the_kernel(flink):
    import random
    rnd = random.Random(7)
    s = suffix()
    inputs = []
    for i in range(120):
        burst = rnd.random() < 0.3
        start = BASE + rnd.randint(0, 3_600_000)
        for _ in range(rnd.randint(4, 9) if burst else rnd.randint(1, 3)):
            ts = start + rnd.randint(0, 200_000 if burst else 3_600_000)
            inputs.append(("att_" + s, "card-%03d" % i, {"AMOUNT": rnd.randint(1, 900)}, ts))
    inputs.append(("att_" + s, "sentinel", {"AMOUNT": 0}, SENTINEL_TS))
    ddl = ("CREATE STREAM authorization_attempts (card_number VARCHAR KEY, amount INT) "
           "WITH (KAFKA_TOPIC='att_%s', PARTITIONS=1, VALUE_FORMAT='JSON');" % s)
    query = ("CREATE TABLE possible_fraud WITH (KAFKA_TOPIC='possible_fraud_%s') AS "
             "SELECT card_number, COUNT(*) FROM authorization_attempts "
             "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number "
             "HAVING COUNT(*) > 3;" % s)
    assert_same_on_both(flink, ddl, query, inputs,
                        "SELECT * FROM possible_fraud EMIT CHANGES;",
                        ["CARD_NUMBER", "WINDOWSTART"])

    # the job is listed, explained and terminated through the same engine
    rows = flink.execute("SHOW QUERIES;")[0].rows
    qid = rows[0][0]
    assert rows[0][1:4] == ["PERSISTENT", "RUNNING", "POSSIBLE_FRAUD"]
    explained = "\n".join(r[0] for r in flink.execute("EXPLAIN %s;" % qid)[0].rows)
    assert "TUMBLE(TABLE `AUTHORIZATION_ATTEMPTS`" in explained
    job = flink.flink.jobs[qid].job_id
    flink.execute("TERMINATE %s;" % qid)
    states = {j["job_id"]: j["state"] for j in flink.flink.backend.jobs()}
    assert states[job] == "CANCELED"
    assert [r for r in flink.execute("SHOW QUERIES;")[0].rows if r[0] == qid] == []


def test_failing_vehicles_on_flink_equals_the_kernel(flink):
    import random
    rnd = random.Random(11)
    s = suffix()
    inputs = [("vehicles_" + s, "truck-%02d" % i,
               {"EVENT_TYPE": rnd.choice(["ERROR", "ERROR", "OK", "WARN"])},
               BASE + rnd.randint(0, 600_000))
              for i in range(50) for _ in range(rnd.randint(2, 12))]
    inputs.append(("vehicles_" + s, "sentinel", {"EVENT_TYPE": "OK"}, SENTINEL_TS))
    ddl = ("CREATE STREAM vehicle_monitoring_stream (vehicle VARCHAR KEY, event_type VARCHAR) "
           "WITH (KAFKA_TOPIC='vehicles_%s', PARTITIONS=1, VALUE_FORMAT='JSON');" % s)
    query = ("CREATE TABLE failing_vehicles WITH (KAFKA_TOPIC='failing_%s') AS "
             "SELECT vehicle, COUNT(*) FROM vehicle_monitoring_stream "
             "WINDOW TUMBLING (SIZE 1 MINUTE) WHERE event_type = 'ERROR' "
             "GROUP BY vehicle HAVING COUNT(*) >= 3;" % s)
    assert_same_on_both(flink, ddl, query, inputs,
                        "SELECT * FROM failing_vehicles EMIT CHANGES;",
                        ["VEHICLE", "WINDOWSTART"])


def test_enriched_payments_on_flink_equals_the_kernel(flink):
    import random
    rnd = random.Random(5)
    s = suffix()
    users = [("users_" + s, "u%02d" % i, {"COUNTRY": rnd.choice(["JP", "US", "DE"])}, BASE + i)
             for i in range(30)]
    users += [("users_" + s, "u03", {"COUNTRY": "FR"}, BASE + 500_000),
              ("users_" + s, "u07", {"COUNTRY": "BR"}, BASE + 700_000)]
    payments = [("payments_" + s, None, {"PAYMENT_ID": i, "USER_ID": "u%02d" % rnd.randint(0, 39),
                                          "TOTAL": round(rnd.uniform(1, 500), 2)},
                 BASE + 1000 + i * 3000) for i in range(300)]
    # Flink's temporal join emits a payment once both sides' watermarks pass it, so each side
    # ends with a sentinel far in the future (left out of the comparison), instead of waiting
    # for the table side to be declared idle.
    payments.append(("payments_" + s, None, {"PAYMENT_ID": -1, "USER_ID": "none", "TOTAL": 0.0},
                     SENTINEL_TS))
    users.append(("users_" + s, "sentinel", {"COUNTRY": "--"}, SENTINEL_TS))
    ddl = ("CREATE TABLE users_table (user_id VARCHAR PRIMARY KEY, country VARCHAR) "
           "WITH (KAFKA_TOPIC='users_%s', PARTITIONS=1, VALUE_FORMAT='JSON');"
           "CREATE STREAM payments_stream (payment_id INT, user_id VARCHAR, total DOUBLE) "
           "WITH (KAFKA_TOPIC='payments_%s', PARTITIONS=1, VALUE_FORMAT='JSON');" % (s, s))
    query = ("CREATE STREAM enriched_payments WITH (KAFKA_TOPIC='enriched_%s') AS "
             "SELECT p.user_id, payment_id, u.country, total FROM payments_stream p "
             "LEFT JOIN users_table u ON p.user_id = u.user_id;" % s)
    assert_same_on_both(flink, ddl, query, users + payments,
                        "SELECT * FROM enriched_payments EMIT CHANGES;", None,
                        keep=lambda r: r["PAYMENT_ID"] != -1)


def test_daily_sales_per_item_over_merged_streams_on_flink_equals_the_kernel(flink):
    import random
    rnd = random.Random(3)
    s = suffix()
    inputs = [("online_" + s, None, {"ITEMID": rnd.randint(1, 8), "PRICE": rnd.randint(1, 50),
                                     "SHIPMENTID": 1}, BASE + rnd.randint(0, 3 * 86_400_000))
              for _ in range(200)]
    inputs += [("offline_" + s, None, {"ITEMID": rnd.randint(1, 8), "PRICE": rnd.randint(1, 50),
                                       "STOREID": 2}, BASE + rnd.randint(0, 3 * 86_400_000))
               for _ in range(150)]
    ddl = ("CREATE STREAM sales_online (itemid BIGINT, price INTEGER, shipmentid BIGINT) "
           "WITH (KAFKA_TOPIC='online_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');"
           "CREATE STREAM sales_offline (itemid BIGINT, price INTEGER, storeid BIGINT) "
           "WITH (KAFKA_TOPIC='offline_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');"
           "CREATE STREAM all_sales (itemid BIGINT, price INTEGER) "
           "WITH (KAFKA_TOPIC='all_sales_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');").format(s=s)
    merge = ("INSERT INTO all_sales SELECT itemid, price FROM sales_online;"
             "INSERT INTO all_sales SELECT itemid, price FROM sales_offline;")
    # the two INSERT jobs interleave days in any order: a 7-day grace keeps them all
    daily = ("CREATE TABLE daily_sales_per_item WITH (KAFKA_TOPIC='daily_{s}') AS "
             "SELECT itemid, SUM(price) AS total FROM all_sales "
             "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 7 DAYS) GROUP BY itemid;").format(s=s)
    sentinel = ("all_sales_" + s, None, {"ITEMID": -1, "PRICE": 0}, SENTINEL_TS)
    read = "SELECT * FROM daily_sales_per_item EMIT CHANGES;"
    keep = lambda r: r["ITEMID"] != -1        # noqa: E731

    with Engine(dict(EARLIEST)) as kernel:
        kernel.execute(ddl)
        kernel.execute(merge)
        feed_kernel(kernel, inputs)
        kernel.drain()
        feed_kernel(kernel, [sentinel])
        kernel.execute(daily)
        kernel.drain()
        handle = kernel.execute(read)[0].handle
        kernel.drain()
        k_cols = handle.columns
        expected = [r for r in final_rows(handle, DAILY_KEYS) if keep(r)]

    flink.execute(ddl)
    flink.execute(merge)
    feed_kafka(flink.flink.backend.bootstrap_servers, inputs)
    merged = flink.execute("SELECT * FROM all_sales EMIT CHANGES;")[0].handle
    deadline = time.monotonic() + 60
    while len(final_rows(merged, None)) < len(inputs) and time.monotonic() < deadline:
        merged.wait(timeout=1.0)
    assert len(final_rows(merged, None)) == len(inputs)
    feed_kafka(flink.flink.backend.bootstrap_servers, [sentinel])
    flink.execute(daily)
    f_cols, got = flink_rows(flink, read, keep, len(expected), DAILY_KEYS)
    assert f_cols == k_cols and expected
    assert canon(got) == canon(expected)


# ---------------------------------------------------------------------------------------
# EXPLAIN of a statement, and statements Flink does not run
# ---------------------------------------------------------------------------------------

def test_explain_of_a_statement_shows_flink_sql_and_flinks_plan(flink):
    s = suffix()
    flink.execute("CREATE STREAM src (k VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='src_%s', "
                  "PARTITIONS=1, VALUE_FORMAT='JSON');" % s)
    rows = flink.execute("EXPLAIN CREATE STREAM e AS SELECT k, v FROM src WHERE v > 1;")[0].rows
    text = "\n".join(r[0] for r in rows)
    assert "CREATE TEMPORARY TABLE `SRC`" in text and "== Abstract Syntax Tree ==" in text
    assert not flink.flink.jobs


def test_untranslatable_statements_raise_and_leave_no_job_behind(flink, cluster):
    from test_flink_engine_bridge import DDL, UNTRANSLATABLE
    flink.execute(DDL.format(s=suffix()))
    rest = ClusterRest(cluster.rest_url)
    before = {j["job_id"] for j in rest.jobs()}
    sources = dict(flink.catalog.sources)
    for sql, construct in UNTRANSLATABLE.items():
        with pytest.raises(KsqlError) as info:
            flink.execute(sql)
        assert "in-kernel engine runs it" in str(info.value), sql
        assert construct.lower() in str(info.value).lower(), sql
    assert len(UNTRANSLATABLE) >= 20
    assert {j["job_id"] for j in rest.jobs()} == before
    assert flink.catalog.sources == sources and not flink.flink.jobs
