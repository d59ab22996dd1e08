"""A record can never stop a query: one poison record per operator kind.

Each test sends good records around one bad record and checks the whole contract: the good
neighbours all come out, the bad one is skipped, counted in the query's status and written to
the processing log in ksqlDB's message shape, a second query on the same source sees every
record, and neither ``drain()`` nor ``close()`` raises.

The poison for expression operators is a regular expression with catastrophic backtracking
on its input (the regex timeout is lowered so the suite stays quick); the others use what
naturally breaks them: undecodable bytes, a failing aggregate, a value the sink format cannot
hold.
"""

from __future__ import annotations

import json

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlError
from ksql_magic.functions import regex as regex_fns
from ksql_magic.functions.udfs import udaf

SLOW = "(a|aa)+$"               # exponential backtracking on a run of a's with no match
POISON = "a" * 36 + "!"


@udaf("poison_total", params=["INT"], returns="INT")
class PoisonTotal:
    """A user aggregate that refuses negative numbers (raises for them)."""

    def initialize(self):
        return 0

    def aggregate(self, acc, v):
        if v is not None and v < 0:
            raise ValueError("negative amount %d" % v)
        return acc + (v or 0)

    def merge(self, a, b):
        return a + b

    def result(self, acc):
        return acc


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setattr(regex_fns, "TIMEOUT", 0.05)
    e = Engine(properties={"auto.offset.reset": "earliest"})
    yield e
    e.close()                    # must not raise either


def source(engine, fmt="JSON", columns="name VARCHAR, amount INT", topic="src", name="src"):
    engine.execute("CREATE STREAM %s (id VARCHAR KEY, %s) WITH (KAFKA_TOPIC='%s', "
                   "VALUE_FORMAT='%s', PARTITIONS=1);" % (name, columns, topic, fmt))
    # the bystander: a second query on the same source must see every record
    engine.execute("CREATE STREAM %s_copy AS SELECT * FROM %s;" % (name, name))


def produce(engine, values, topic="src", key="k"):
    for i, v in enumerate(values):
        engine.produce(topic, v, key=key, timestamp=1000 + i)


def outputs(engine, topic):
    return [None if r.value is None else json.loads(r.value) for r in engine.records(topic)]


def log_entries(engine):
    return [json.loads(r.value)["MESSAGE"] for r in engine.records("default_ksql_processing_log")]


def query_of(engine, sink):
    return next(q for q in engine.queries.values()
                if getattr(q.sink, "topic", None) == sink)


def assert_skipped(engine, sink, kind="processing_errors", n=1, log_type=1):
    """The bad record is counted in the status of the query writing ``sink`` and logged."""
    status = query_of(engine, sink).status()
    assert status[kind] == n
    assert status["state"] == "RUNNING"
    entries = [m for m in log_entries(engine) if m["TYPE"] == log_type]
    assert len(entries) == n
    field = {0: "DESERIALIZATIONERROR", 1: "RECORDPROCESSINGERROR", 3: "SERIALIZATIONERROR"}[log_type]
    assert entries[0][field]["ERRORMESSAGE"]
    assert isinstance(entries[0][field]["CAUSE"], list)


def assert_bystander_saw(engine, n, topic="SRC_COPY"):
    assert len(engine.records(topic)) == n
    status = query_of(engine, topic).status()
    assert status["processing_errors"] == 0 and status["serialization_errors"] == 0


# -- source decode, per format ---------------------------------------------------------------

@pytest.mark.parametrize("fmt, good, bad", [
    ("JSON", ['{"NAME":"x","AMOUNT":1}', '{"NAME":"z","AMOUNT":3}'], '{"NAME": oops'),
    ("DELIMITED", ["x,1", "z,3"], "y,2,extra"),
    ("KAFKA", [b"\x00\x00\x00\x01", b"\x00\x00\x00\x03"], b"\x00\x02"),
])
def test_source_decode_error_skips_only_the_bad_record(engine, fmt, good, bad):
    columns = "amount INT" if fmt == "KAFKA" else "name VARCHAR, amount INT"
    source(engine, fmt, columns)
    engine.execute("CREATE STREAM out WITH (KAFKA_TOPIC='out', VALUE_FORMAT='JSON') AS "
                   "SELECT id, amount FROM src;")
    produce(engine, [good[0], bad, good[1]])
    engine.drain()
    assert [v["AMOUNT"] for v in outputs(engine, "out")] == [1, 3]
    status = query_of(engine, "out").status()
    assert status["deser_errors"] == 1
    entry = [m for m in log_entries(engine) if m["TYPE"] == 0]
    assert len(entry) == 2   # both queries read the source, each logs its own failure
    assert entry[0]["DESERIALIZATIONERROR"]["TOPIC"] == "src"
    assert entry[0]["DESERIALIZATIONERROR"]["RECORDB64"]
    assert len(engine.records("SRC_COPY")) == 2


def test_none_key_format_ignores_any_key_bytes(engine):
    engine.execute("CREATE STREAM src (amount INT) WITH (KAFKA_TOPIC='src', KEY_FORMAT='NONE', "
                   "VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.execute("CREATE STREAM out AS SELECT amount FROM src;")
    for key in (b"\xff\xfe", None, b"{not json"):
        engine.produce("src", '{"AMOUNT": 4}', key=key, timestamp=1)
    engine.drain()
    assert [v["AMOUNT"] for v in outputs(engine, "OUT")] == [4, 4, 4]
    assert engine.processing_log.count == 0


# -- stateless operators ---------------------------------------------------------------------

def test_filter_error_skips_the_record(engine):
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT id, amount FROM src "
                   "WHERE REGEXP_EXTRACT('%s', name) IS NULL;" % SLOW)
    produce(engine, ['{"NAME":"b","AMOUNT":1}', '{"NAME":"%s","AMOUNT":2}' % POISON,
                     '{"NAME":"c","AMOUNT":3}'])
    engine.drain()
    assert [v["AMOUNT"] for v in outputs(engine, "OUT")] == [1, 3]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_projection_error_skips_the_record(engine):
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT id, REGEXP_REPLACE(name, '%s', 'x') AS n, amount "
                   "FROM src;" % SLOW)
    produce(engine, ['{"NAME":"b","AMOUNT":1}', '{"NAME":"%s","AMOUNT":2}' % POISON,
                     '{"NAME":"c","AMOUNT":3}'])
    engine.drain()
    assert [(v["N"], v["AMOUNT"]) for v in outputs(engine, "OUT")] == [("b", 1), ("c", 3)]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_table_function_error_skips_the_record(engine):
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT id, EXPLODE(REGEXP_SPLIT_TO_ARRAY(name, '%s')) AS part "
                   "FROM src;" % SLOW)
    produce(engine, ['{"NAME":"b"}', '{"NAME":"%s"}' % POISON, '{"NAME":"c"}'])
    engine.drain()
    assert [v["PART"] for v in outputs(engine, "OUT")] == ["b", "c"]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_partition_by_error_skips_the_record(engine):
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT REGEXP_EXTRACT('%s', name) AS k2, amount FROM src "
                   "PARTITION BY REGEXP_EXTRACT('%s', name);" % (SLOW, SLOW))
    produce(engine, ['{"NAME":"ba","AMOUNT":1}', '{"NAME":"%s","AMOUNT":2}' % POISON,
                     '{"NAME":"ca","AMOUNT":3}'])
    engine.drain()
    out = engine.records("OUT")
    assert [json.loads(r.value)["AMOUNT"] for r in out] == [1, 3]
    assert [r.key for r in out] == [b"a", b"a"]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


# -- aggregation -----------------------------------------------------------------------------

def test_aggregate_error_skips_the_record_and_keeps_the_group(engine):
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT id, POISON_TOTAL(amount) AS total FROM src GROUP BY id;")
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":-5}', '{"AMOUNT":3}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"TOTAL": 4}
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_group_by_key_error_skips_the_record(engine):
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT REGEXP_EXTRACT('%s', name) AS g, COUNT(*) AS n "
                   "FROM src GROUP BY REGEXP_EXTRACT('%s', name);" % (SLOW, SLOW))
    produce(engine, ['{"NAME":"ba"}', '{"NAME":"%s"}' % POISON, '{"NAME":"ca"}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"N": 2}
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


@pytest.mark.parametrize("window", ["TUMBLING (SIZE 1 MINUTE)", "HOPPING (SIZE 1 MINUTE, ADVANCE BY 30 SECONDS)",
                                    "SESSION (1 MINUTE)"])
def test_windowed_aggregate_error_skips_the_record(engine, window):
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT id, POISON_TOTAL(amount) AS total FROM src "
                   "WINDOW %s GROUP BY id;" % window)
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":-5}', '{"AMOUNT":3}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"TOTAL": 4}
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_having_error_skips_only_that_group(engine):
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT name, COUNT(*) AS n FROM src GROUP BY name "
                   "HAVING REGEXP_EXTRACT('%s', name) IS NULL;" % SLOW)
    produce(engine, ['{"NAME":"b"}', '{"NAME":"%s"}' % POISON, '{"NAME":"c"}'])
    engine.drain()
    assert sorted(r.key for r in engine.records("OUT")) == [b"b", b"c"]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


# -- joins -----------------------------------------------------------------------------------

def _users(engine):
    engine.execute("CREATE TABLE users (id VARCHAR PRIMARY KEY, region VARCHAR) WITH "
                   "(KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.produce("users", '{"REGION":"eu"}', key="k", timestamp=1)


def test_stream_table_join_error_skips_the_record(engine):
    _users(engine)
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT s.id, REGEXP_REPLACE(s.name, '%s', '') AS n, u.region "
                   "FROM src s JOIN users u ON s.id = u.id;" % SLOW)
    produce(engine, ['{"NAME":"b"}', '{"NAME":"%s"}' % POISON, '{"NAME":"c"}'])
    engine.drain()
    assert [(v["N"], v["REGION"]) for v in outputs(engine, "OUT")] == [("b", "eu"), ("c", "eu")]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_stream_stream_join_error_skips_the_record(engine):
    source(engine)
    source(engine, topic="other", name="other")
    engine.execute("CREATE STREAM out AS SELECT s.id, REGEXP_REPLACE(s.name, '%s', '') AS n, o.amount AS amt "
                   "FROM src s JOIN other o WITHIN 1 HOUR ON s.id = o.id;" % SLOW)
    engine.produce("other", '{"AMOUNT":7}', key="k", timestamp=999)
    produce(engine, ['{"NAME":"b"}', '{"NAME":"%s"}' % POISON, '{"NAME":"c"}'])
    engine.drain()
    assert [(v["N"], v["AMT"]) for v in outputs(engine, "OUT")] == [("b", 7), ("c", 7)]
    assert_skipped(engine, "OUT")
    assert_bystander_saw(engine, 3)


def test_join_then_aggregate_error_skips_the_record(engine):
    _users(engine)
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT u.region, POISON_TOTAL(s.amount) AS total "
                   "FROM src s JOIN users u ON s.id = u.id GROUP BY u.region;")
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":-5}', '{"AMOUNT":3}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"TOTAL": 4}
    assert_skipped(engine, "OUT")


# -- sink serialization, per format ----------------------------------------------------------

@pytest.mark.parametrize("fmt, returns, bad, read", [
    ("JSON", "BIGINT", 2 ** 70, lambda b: json.loads(b)["X"]),
    ("KAFKA", "INT", 2 ** 40, lambda b: int.from_bytes(b, "big", signed=True)),
    ("DELIMITED", "DOUBLE", "not a number", lambda b: float(b)),
])
def test_sink_serialization_error_drops_that_output(engine, fmt, returns, bad, read):
    engine.register_udf("poison_out", lambda v: bad if v == 2 else v, ["INT"], returns)
    source(engine)
    engine.execute("CREATE STREAM out WITH (KAFKA_TOPIC='out', VALUE_FORMAT='%s') AS "
                   "SELECT id, POISON_OUT(amount) AS x FROM src;" % fmt)
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":2}', '{"AMOUNT":3}'])
    engine.drain()
    assert [read(r.value) for r in engine.records("out")] == [1, 3]
    assert_skipped(engine, "out", kind="serialization_errors", log_type=3)
    entry = [m for m in log_entries(engine) if m["TYPE"] == 3][0]
    assert entry["SERIALIZATIONERROR"]["TOPIC"] == "out"
    assert_bystander_saw(engine, 3)


def test_kafka_sink_negating_int_minimum_wraps_instead_of_failing(engine):
    source(engine)
    engine.execute("CREATE STREAM out WITH (KAFKA_TOPIC='out', VALUE_FORMAT='KAFKA') AS "
                   "SELECT id, -amount AS x FROM src;")
    produce(engine, ['{"AMOUNT":-2147483648}', '{"AMOUNT":5}'])
    engine.drain()
    assert [int.from_bytes(r.value, "big", signed=True) for r in engine.records("out")] == [-2147483648, -5]
    assert engine.processing_log.count == 0


# -- the log is a queryable stream, and a later batch still runs -----------------------------

def test_bad_records_are_queryable_in_ksql_processing_log(engine):
    source(engine)
    engine.execute("CREATE STREAM out AS SELECT id, REGEXP_REPLACE(name, '%s', 'x') AS n FROM src;" % SLOW)
    produce(engine, ['{"NAME":"%s"}' % POISON])
    engine.drain()
    engine.processing_log.declare_stream()
    rows = engine.execute("SELECT MESSAGE->`TYPE` AS t, MESSAGE->RECORDPROCESSINGERROR->ERRORMESSAGE AS m "
                          "FROM KSQL_PROCESSING_LOG;")[0].rows
    assert len(rows) == 1
    assert rows[0][0] == 1 and "Timed out" in rows[0][1]
    produce(engine, ['{"NAME":"fine"}'])
    engine.drain()
    assert [v["N"] for v in outputs(engine, "OUT")] == ["fine"]


def test_a_faulty_operator_puts_only_its_query_in_error(engine):
    """Beyond bad records: an operator that fails as a whole stops its own query (ERROR,
    with the reason in its status), never drain(), close() or the other queries."""
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT id, COUNT(*) AS n FROM src GROUP BY id;")
    faulty = query_of(engine, "OUT")

    def broken(index, items):
        raise RuntimeError("operator state is corrupt")
    faulty.plan.stateful.process = broken
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":2}'])
    engine.drain()
    produce(engine, ['{"AMOUNT":3}'])
    engine.drain()
    status = faulty.status()
    assert status["state"] == "ERROR"
    assert "operator state is corrupt" in status["error"]
    assert_bystander_saw(engine, 3)


# -- the reported cases ----------------------------------------------------------------------

def test_out_of_range_text_cast_is_null_not_a_sink_failure(engine):
    source(engine)
    engine.execute("CREATE STREAM out WITH (KAFKA_TOPIC='out', VALUE_FORMAT='KAFKA') AS "
                   "SELECT id, CAST(name AS BIGINT) AS x FROM src;")
    produce(engine, ['{"NAME":"99999999999999999999"}', '{"NAME":"42"}'])
    engine.drain()
    assert [None if r.value is None else int.from_bytes(r.value, "big", signed=True)
            for r in engine.records("out")] == [None, 42]
    assert engine.processing_log.count == 0


def test_sum_of_infinity_remainder_is_nan_not_an_error(engine):
    source(engine, columns="d DOUBLE")
    engine.execute("CREATE TABLE out AS SELECT id, SUM(d % 2) AS s FROM src GROUP BY id;")
    produce(engine, ['{"D":"Infinity"}', '{"D":5}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"S": "NaN"}
    assert engine.processing_log.count == 0


def test_max_of_nan_decimal_text_ignores_the_null_cast(engine):
    source(engine)
    engine.execute("CREATE TABLE out AS SELECT id, MAX(CAST(name AS DECIMAL(10, 2))) AS m "
                   "FROM src GROUP BY id;")
    produce(engine, ['{"NAME":"NaN"}', '{"NAME":"2.5"}', '{"NAME":"1"}'])
    engine.drain()
    assert outputs(engine, "OUT")[-1] == {"M": 2.5}
    assert engine.processing_log.count == 0


def test_zero_size_window_logs_each_record_and_leaves_other_queries_running(engine):
    source(engine)
    try:
        engine.execute("CREATE TABLE out AS SELECT id, COUNT(*) AS n FROM src "
                       "WINDOW TUMBLING (SIZE 0 SECONDS) GROUP BY id;")
    except KsqlError:          # refusing the statement is as good (statement validation)
        return
    produce(engine, ['{"AMOUNT":1}', '{"AMOUNT":2}'])
    engine.drain()
    assert query_of(engine, "OUT").status()["processing_errors"] == 2
    assert_bystander_saw(engine, 2)
