"""https://docs.ksqldb.io/en/latest/tutorials/materialized/

A call-center changelog shaped as Debezium writes it ({"before": ..., "after": {...}})
feeds two materialized views read with pull queries: distinct reasons and the last reason
per caller, and calls and minutes per caller (INTEGER seconds / 60 divides as integers).
The tutorial's CREATE SOURCE CONNECTOR gets ksql_magic's one connector message; the
records are produced straight to the topic instead."""

import json

import pytest

from ksql_magic.errors import KsqlStatementError
from conftest import pull_rows

CALLS = [("ana", "purchase", 300), ("ana", "help", 200), ("bo", "help", 900),
         ("cy", "purchase", 5000), ("cy", "help", 700), ("bo", "refund", 100),
         ("ana", "help", 1500), ("bo", "purchase", 650), ("cy", "help", 2000), ("cy", "refund", 400)]
TOPIC = "call-center-db.call-center.calls"


@pytest.fixture
def center(engine):
    engine.create_topic(TOPIC)
    for name, reason, secs in CALLS:
        engine.produce(TOPIC, json.dumps({"before": None, "after": {
            "name": name, "reason": reason, "duration_seconds": secs}}))
    engine.execute("""
        CREATE STREAM calls (`after` STRUCT<`name` VARCHAR, `reason` VARCHAR, `duration_seconds` INT>)
          WITH (kafka_topic='%s', value_format='json');
        CREATE TABLE support_view AS
          SELECT `after`->`name` AS name, count_distinct(`after`->`reason`) AS distinct_reasons,
                 latest_by_offset(`after`->`reason`) AS last_reason
          FROM calls GROUP BY `after`->`name` EMIT CHANGES;
        CREATE TABLE lifetime_view AS
          SELECT `after`->`name` AS name, count(`after`->`reason`) AS total_calls,
                 (sum(`after`->`duration_seconds`) / 60) AS minutes_engaged
          FROM calls GROUP BY `after`->`name` EMIT CHANGES;""" % TOPIC)
    engine.drain()
    return engine


def test_the_connector_step_gets_the_connector_message(engine):
    with pytest.raises(KsqlStatementError, match="connectors run in Kafka Connect"):
        engine.execute("CREATE SOURCE CONNECTOR calls_reader WITH ("
                       "'connector.class' = 'io.debezium.connector.mysql.MySqlConnector');")


def test_support_view_for_one_caller(center):
    assert pull_rows(center, "SELECT name, distinct_reasons, last_reason FROM support_view "
                             "WHERE name = 'cy';") == [["cy", 3, "refund"]]


def test_lifetime_view_for_one_caller(center):
    assert pull_rows(center, "SELECT name, total_calls, minutes_engaged FROM lifetime_view "
                             "WHERE name = 'ana';") == [["ana", 3, 33]]


def test_new_calls_propagate_to_the_views(center):
    center.produce(TOPIC, json.dumps({"before": None, "after": {
        "name": "ana", "reason": "refund", "duration_seconds": 400}}))
    center.drain()
    assert pull_rows(center, "SELECT total_calls, minutes_engaged FROM lifetime_view "
                             "WHERE name = 'ana';") == [[4, 40]]
    assert pull_rows(center, "SELECT distinct_reasons, last_reason FROM support_view "
                             "WHERE name = 'ana';") == [[3, "refund"]]
