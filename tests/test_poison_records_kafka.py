"""The per-record boundary on a real Kafka-protocol broker (Tansu): bad records are skipped,
counted and logged, the input offsets are committed past them (a restart does not meet them
again), and the other queries and drain() go on."""

import json
import uuid

import pytest

from ksql_magic import Engine
from kafka_support import *  # noqa: F401,F403  (fixtures)
from test_poison_records import PoisonTotal  # noqa: F401 - registers POISON_TOTAL

pytestmark = [pytest.mark.kafka, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _engine(bootstrap, client):
    props = {"auto.offset.reset": "earliest", "ksql.streams.commit.interval.ms": "0"}
    return Engine(props, bootstrap_servers=bootstrap, client=client, timeout=5.0)


def _sql(topic, tag):
    return (f"CREATE STREAM pay (id STRING KEY, amount INT) WITH (kafka_topic='{topic}', value_format='JSON');"
            f"CREATE TABLE totals_{tag} AS SELECT id, POISON_TOTAL(amount) AS t FROM pay GROUP BY id;"
            f"CREATE STREAM wide_{tag} WITH (value_format='KAFKA') AS SELECT id, WIDEN(amount) AS x FROM pay;"
            f"CREATE STREAM copy_{tag} AS SELECT * FROM pay;")


def _status(engine, sink):
    return next(q.status() for q in engine.queries.values() if q.sink.topic == sink)


def test_bad_records_on_kafka_are_skipped_logged_and_committed(tansu, client):
    tag = uuid.uuid4().hex[:8]
    topic = "pay_" + tag
    totals, wide, copy = ("%s_%s" % (n, tag.upper()) for n in ("TOTALS", "WIDE", "COPY"))
    with _engine(tansu, client) as e:
        e.register_udf("widen", lambda v: v * 2 ** 40 if v < 0 else v, ["INT"], "INT")
        e.create_topic(topic, 1)
        e.execute(_sql(topic, tag))
        for i, value in enumerate(['{"AMOUNT":1}', '{"AMOUNT":-5}', '{"AMOUNT": oops', '{"AMOUNT":3}']):
            e.produce(topic, value, key="k", timestamp=1000 + i)
        e.drain()
        e.drain()
        assert json.loads(e.records(totals)[-1].value) == {"T": 4}
        assert [int.from_bytes(r.value, "big", signed=True) for r in e.records(wide)] == [1, 3]
        assert len(e.records(copy)) == 3
        assert _status(e, totals)["processing_errors"] == 1
        assert _status(e, wide)["serialization_errors"] == 1
        assert all(_status(e, s)["deser_errors"] == 1 for s in (totals, wide, copy))
        entries = [json.loads(r.value) for r in e.records("default_ksql_processing_log")]
        types = [m["MESSAGE"]["TYPE"] for m in entries if tag.upper() in m["LOGGER"]]  # this test's
        assert types.count(0) == 3 and types.count(1) == 1 and types.count(3) == 1
    with _engine(tansu, client) as e:          # restarted: the bad records are behind it
        e.register_udf("widen", lambda v: v, ["INT"], "INT")
        e.execute(_sql(topic, tag))
        e.produce(topic, '{"AMOUNT":10}', key="k", timestamp=2000)
        e.drain()
        assert json.loads(e.records(totals)[-1].value) == {"T": 14}
        assert all(_status(e, s)["deser_errors"] == 0 for s in (totals, wide, copy))
