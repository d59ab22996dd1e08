"""https://docs.ksqldb.io/en/latest/developer-guide/ksqldb-reference/assert-topic/ ,
.../assert-schema/ , .../pause/ and .../resume/

ASSERT TOPIC checks existence and, with WITH, only PARTITIONS and REPLICAS; NOT EXISTS
skips the properties; TIMEOUT retries until the topic appears. PAUSE keeps a query's
offsets and state; RESUME continues from them."""

import threading

import pytest

from ksql_magic.errors import KsqlStatementError
from conftest import pull_rows


def test_assert_topic_checks_partitions_and_replicas(engine):
    engine.create_topic("orders", partitions=3)
    assert engine.execute("ASSERT TOPIC orders WITH (PARTITIONS=3, REPLICAS=1);")[0].message == \
        "Topic orders exists"
    with pytest.raises(KsqlStatementError, match="For config replicas, expected 2 got 1"):
        engine.execute("ASSERT TOPIC orders WITH (REPLICAS=2) TIMEOUT 5 MILLISECONDS;")


def test_assert_not_exists_ignores_properties(engine):
    assert engine.execute("ASSERT NOT EXISTS TOPIC ghosts WITH (PARTITIONS=9);")[0].message == \
        "Topic ghosts does not exist"


def test_assert_topic_waits_for_a_topic_created_meanwhile(engine):
    timer = threading.Timer(0.2, lambda: engine.create_topic("late_topic"))
    timer.start()
    try:
        assert engine.execute("ASSERT TOPIC late_topic TIMEOUT 5 SECONDS;")[0].message == \
            "Topic late_topic exists"
    finally:
        timer.cancel()


def test_assert_schema_names_subject_and_id_in_its_failure(engine):
    with pytest.raises(KsqlStatementError, match="Schema with subject name orders-value does not exist"):
        engine.execute("ASSERT SCHEMA SUBJECT 'orders-value' TIMEOUT 1 MILLISECOND;")


def test_pause_then_resume_loses_nothing(engine):
    engine.execute("CREATE STREAM taps (card VARCHAR KEY, amount INT) WITH (kafka_topic='taps', "
                   "partitions=1, value_format='json');"
                   "CREATE TABLE spend AS SELECT card, SUM(amount) AS total FROM taps GROUP BY card;")
    engine.execute("INSERT INTO taps (card, amount) VALUES ('c1', 5);")
    engine.drain()
    engine.execute("PAUSE CTAS_SPEND_0;")
    engine.execute("INSERT INTO taps (card, amount) VALUES ('c1', 7);")
    engine.drain()
    assert pull_rows(engine, "SELECT * FROM spend;") == [["c1", 5]]
    engine.execute("RESUME CTAS_SPEND_0;")
    engine.drain()
    assert pull_rows(engine, "SELECT * FROM spend;") == [["c1", 12]]
