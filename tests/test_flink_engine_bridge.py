"""The Engine's Flink seam without a cluster: a fake backend records what would be submitted.

Checks what the engine does around the translation: the catalog entry of a Flink sink, the
window-key bridge that makes Flink's windowed output read like ksqlDB's, SHOW QUERIES /
EXPLAIN / TERMINATE / DROP on Flink jobs, and untranslatable statements that change nothing.
"""

from __future__ import annotations

import json

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlError
from ksql_magic.flink.engine_bridge import FlinkSession
from ksql_magic.flink.windowed_topics import WindowKeyBroker

DDL = """
CREATE STREAM att (card_number VARCHAR KEY, amount INT, tags ARRAY<VARCHAR>,
  merchant STRUCT<name VARCHAR>) WITH (KAFKA_TOPIC='att_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE TABLE users (user_id VARCHAR PRIMARY KEY, country VARCHAR, level VARCHAR)
  WITH (KAFKA_TOPIC='users_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE TABLE users2 (user_id VARCHAR PRIMARY KEY, name VARCHAR)
  WITH (KAFKA_TOPIC='users2_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE STREAM pay (payment_id INT, user_id VARCHAR, total DOUBLE)
  WITH (KAFKA_TOPIC='pay_{s}', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE STREAM delim (a VARCHAR) WITH (KAFKA_TOPIC='delim_{s}', PARTITIONS=1,
  VALUE_FORMAT='DELIMITED');
CREATE TABLE win (k VARCHAR PRIMARY KEY, n BIGINT) WITH (KAFKA_TOPIC='win_{s}', PARTITIONS=1,
  VALUE_FORMAT='JSON', WINDOW_TYPE='TUMBLING', WINDOW_SIZE='1 MINUTE');
CREATE STREAM tscol (k VARCHAR KEY, ts TIMESTAMP) WITH (KAFKA_TOPIC='tscol_{s}', PARTITIONS=1,
  VALUE_FORMAT='JSON');
CREATE STREAM jkey (k VARCHAR KEY, v VARCHAR) WITH (KAFKA_TOPIC='jkey_{s}', PARTITIONS=1,
  KEY_FORMAT='JSON', VALUE_FORMAT='JSON');
"""

# statement -> the construct its error names; each runs in the kernel, none on Flink
UNTRANSLATABLE = {
    "CREATE TABLE t AS SELECT card_number, TOPK(amount, 2) FROM att GROUP BY card_number;":
        "TOPK",
    "CREATE TABLE t AS SELECT card_number, TOPKDISTINCT(amount, 2) FROM att "
    "GROUP BY card_number;": "TOPKDISTINCT",
    "CREATE TABLE t AS SELECT card_number, HISTOGRAM(CAST(amount AS VARCHAR)) FROM att "
    "GROUP BY card_number;": "HISTOGRAM",
    "CREATE TABLE t AS SELECT card_number, COLLECT_LIST(amount) FROM att "
    "GROUP BY card_number;": "COLLECT_LIST",
    "CREATE TABLE t AS SELECT card_number, COLLECT_SET(amount) FROM att "
    "GROUP BY card_number;": "COLLECT_SET",
    "CREATE TABLE t AS SELECT card_number, LATEST_BY_OFFSET(amount) FROM att "
    "GROUP BY card_number;": "LATEST_BY_OFFSET",
    "CREATE TABLE t AS SELECT card_number, EARLIEST_BY_OFFSET(amount) FROM att "
    "GROUP BY card_number;": "EARLIEST_BY_OFFSET",
    "CREATE STREAM t AS SELECT card_number, TRANSFORM(tags, x => UCASE(x)) AS u FROM att;":
        "TRANSFORM",
    "CREATE STREAM t AS SELECT card_number, FILTER(tags, x => x = 'a') AS f FROM att;":
        "FILTER",
    "CREATE STREAM t AS SELECT a FROM delim;": "DELIMITED",
    "CREATE TABLE t AS SELECT u.user_id, u.country, v.name FROM users u "
    "JOIN users2 v ON u.user_id = v.user_id;": "TABLE-TABLE join",
    "CREATE STREAM t AS SELECT p.user_id, p.payment_id FROM pay p "
    "JOIN users u ON p.user_id = u.user_id JOIN users2 v ON p.user_id = v.user_id;":
        "more than two",
    "CREATE TABLE t AS SELECT k, n FROM win;": "windowed source",
    "CREATE STREAM t AS SELECT k, ts FROM tscol;": "TIMESTAMP",
    "CREATE STREAM t AS SELECT k, v FROM jkey;": "KEY_FORMAT='JSON'",
    "CREATE TABLE t AS SELECT card_number, amount, COUNT(*) FROM att "
    "GROUP BY card_number, amount;": "key of 2 columns",
    "CREATE STREAM t AS SELECT card_number, tags[-1] AS last_tag FROM att;":
        "negative array index",
    "CREATE TABLE t AS SELECT card_number, COUNT(*) FROM att WINDOW HOPPING "
    "(SIZE 10 MINUTES, ADVANCE BY 3 MINUTES) GROUP BY card_number;": "HOPPING",
    "CREATE STREAM t WITH (VALUE_FORMAT='DELIMITED') AS SELECT card_number, amount FROM att;":
        "DELIMITED",
    "CREATE STREAM t AS SELECT card_number, ROUND(amount) AS r FROM att;": "ROUND",
    "CREATE STREAM t AS SELECT card_number, STRUCT(a := amount) AS s FROM att;": "STRUCT",
    "CREATE STREAM t AS SELECT * FROM att LIMIT 5;": "LIMIT",
    "INSERT INTO att SELECT card_number, amount, tags, merchant FROM att LIMIT 3;": "LIMIT",
}


class FakeBackend:
    """Records plans instead of starting jobs."""

    def __init__(self):
        self.plans, self.cancelled = {}, []
        self.cluster = self

    def job(self, job_id):
        return {"state": "CANCELED" if job_id in self.cancelled else "RUNNING", "vertices": [
            {"metrics": {"write-records": 7}}, {"metrics": {"read-records": 2}}]}

    def submit(self, plan):
        job = "job%d" % (len(self.plans) + 1)
        self.plans[job] = plan
        return job

    def jobs(self):
        return [{"job_id": j, "state": "CANCELED" if j in self.cancelled else "RUNNING"}
                for j in self.plans]

    def cancel(self, job_id, wait=30.0):
        self.cancelled.append(job_id)
        return "CANCELED"

    def explain(self, plan):
        return plan.sql + "\n\n-- Flink plan\n(fake)"


@pytest.fixture
def engine():
    e = Engine({"auto.offset.reset": "earliest"})
    e.broker = WindowKeyBroker(e.broker)
    e.flink = FlinkSession(FakeBackend(), e.broker)
    e.execute(DDL.format(s="x"))
    yield e
    e.close()


FRAUD = ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) FROM att "
         "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number HAVING COUNT(*) > 3;")


def test_persistent_query_is_submitted_to_flink_not_run_in_the_kernel(engine):
    result = engine.execute(FRAUD)[0]
    assert result.query_id == "CTAS_POSSIBLE_FRAUD_0"
    assert engine.queries[result.query_id].next_pending() is None
    assert list(engine.flink.jobs) == ["CTAS_POSSIBLE_FRAUD_0"]
    assert engine.catalog.sources["POSSIBLE_FRAUD"].window.kind == "TUMBLING"


def test_flink_window_bounds_read_as_ksqldb_windowed_rows(engine):
    engine.execute(FRAUD)
    engine.produce("POSSIBLE_FRAUD", json.dumps(
        {"KSQL_COL_0": 5, "WINDOW_START": 300_000, "WINDOW_END": 600_000}), "c1", 400_000)
    handle = engine.execute("SELECT * FROM possible_fraud EMIT CHANGES;")[0].handle
    engine.drain()
    assert handle.columns == ["CARD_NUMBER", "WINDOWSTART", "WINDOWEND", "KSQL_COL_0"]
    assert handle.rows == [{"CARD_NUMBER": "c1", "KSQL_COL_0": 5, "WINDOWSTART": 300_000,
                            "WINDOWEND": 600_000}]
    assert engine.records("POSSIBLE_FRAUD")[0].window == (300_000, 600_000)


def test_join_sink_is_written_with_the_kernels_column_names_and_key(engine):
    engine.execute("CREATE STREAM e AS SELECT p.user_id, payment_id, u.country, total "
                   "FROM pay p LEFT JOIN users u ON p.user_id = u.user_id;")
    plan = next(iter(engine.flink.jobs.values())).plan
    assert "'key.fields' = 'P_USER_ID'" in plan.sql
    assert [c.name for c in engine.catalog.sources["E"].columns] == [
        "P_USER_ID", "PAYMENT_ID", "COUNTRY", "TOTAL"]


def test_show_queries_lists_flink_jobs_with_their_state(engine):
    engine.execute(FRAUD)
    rows = engine.execute("SHOW QUERIES;")[0].rows
    assert rows[0][:4] == ["CTAS_POSSIBLE_FRAUD_0", "PERSISTENT", "RUNNING", "POSSIBLE_FRAUD"]
    assert rows[0][-1] == "job1"


def test_query_status_reports_the_jobs_state_and_record_counts(engine):
    engine.execute(FRAUD)
    status = engine.query_status("CTAS_POSSIBLE_FRAUD_0")
    assert (status["state"], status["records_in"], status["records_out"]) == ("RUNNING", 7, 2)
    engine.drain()                                   # nothing for the kernel to run


def test_closing_the_engine_leaves_the_flink_job_running(engine):
    engine.execute(FRAUD)
    engine.close()
    assert engine.flink.backend.cancelled == []


def test_explain_shows_the_flink_sql(engine):
    engine.execute(FRAUD)
    by_id = engine.execute("EXPLAIN CTAS_POSSIBLE_FRAUD_0;")[0].rows
    assert any("TUMBLE(TABLE `ATT`" in r[0] for r in by_id)
    stmt = engine.execute("EXPLAIN " + FRAUD.replace("possible_fraud", "pf2"))[0].rows
    assert any("-- Flink plan" in r[0] for r in stmt)


def test_terminate_cancels_the_job_and_frees_the_sink(engine):
    engine.execute(FRAUD)
    engine.execute("TERMINATE CTAS_POSSIBLE_FRAUD_0;")
    assert engine.flink.backend.cancelled == ["job1"] and not engine.flink.jobs
    engine.execute("DROP TABLE possible_fraud;")
    assert "POSSIBLE_FRAUD" not in engine.catalog.sources


def test_drop_of_a_flink_sink_cancels_its_job(engine):
    engine.execute("CREATE STREAM big AS SELECT card_number, amount FROM att WHERE amount > 5;")
    engine.execute("DROP STREAM big;")
    assert engine.flink.backend.cancelled == ["job1"]


def test_insert_into_runs_on_flink(engine):
    engine.execute("CREATE STREAM copy AS SELECT card_number, amount FROM att;")
    engine.execute("INSERT INTO copy SELECT card_number, amount FROM att WHERE amount > 1;")
    assert sorted(engine.flink.jobs) == ["CSAS_COPY_0", "INSERTQUERY_1"]


def test_push_queries_stay_in_the_kernel(engine):
    result = engine.execute("SELECT * FROM att EMIT CHANGES;")[0]
    assert result.handle is not None and not engine.flink.jobs


@pytest.mark.parametrize("sql", sorted(UNTRANSLATABLE))
def test_untranslatable_statement_changes_nothing(engine, sql):
    sources, queries = dict(engine.catalog.sources), dict(engine.catalog.queries)
    topics = {t.name for t in engine.broker.list_topics()}
    with pytest.raises(KsqlError) as info:
        engine.execute(sql)
    message = str(info.value)
    assert UNTRANSLATABLE[sql].lower() in message.lower(), message
    assert "in-kernel engine runs it" in message
    assert engine.catalog.sources == sources and engine.catalog.queries == queries
    assert {t.name for t in engine.broker.list_topics()} == topics
    assert not engine.flink.jobs and not engine.flink.backend.plans and not engine.queries
