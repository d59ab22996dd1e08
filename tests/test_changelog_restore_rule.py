"""What a restart does with a query's changelog: good snapshots of every aggregation kind
continue exactly; anything else (a crafted pickle above all) is never executed, the query is
not started, its status says why, and TERMINATE clears the way for a fresh start."""

import json
import os
import pickle
import uuid

import pytest

from ksql_magic import Engine, udaf
from ksql_magic.brokers.memory import MemoryBroker
from ksql_magic.errors import KsqlStatementError
from ksql_magic.runtime.checkpoint import changelog_topic
from kafka_support import *  # noqa: F401,F403  (fixtures)

PROPS = {"auto.offset.reset": "earliest", "ksql.magic.state.changelog": "true",
         "ksql.streams.commit.interval.ms": "0"}
STREAM = ("CREATE STREAM ev (id STRING KEY, v INT, d DECIMAL(6,2), tag STRING) "
          "WITH (kafka_topic='ev', value_format='JSON', partitions=1);")
TABLE_SRC = ("CREATE TABLE tv (id STRING PRIMARY KEY, grp STRING, v INT) "
             "WITH (kafka_topic='tv', value_format='JSON', partitions=1);")

AGGREGATIONS = {
    "unwindowed, every accumulator kind":
        "CREATE TABLE out AS SELECT id, COUNT(*) AS n, SUM(d) AS sd, AVG(v) AS av, "
        "COUNT_DISTINCT(tag) AS nd, COLLECT_SET(tag) AS tags, HISTOGRAM(tag) AS h, "
        "TOPK(v, 2) AS top, MAX(d) AS mx, STDDEV_SAMP(v) AS sdv FROM ev GROUP BY id;",
    "tumbling": "CREATE TABLE out AS SELECT id, COUNT(*) AS n FROM ev "
                "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY id;",
    "hopping": "CREATE TABLE out AS SELECT id, SUM(v) AS s FROM ev "
               "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY id;",
    "session": "CREATE TABLE out AS SELECT id, COLLECT_LIST(v) AS vs FROM ev "
               "WINDOW SESSION (3 SECONDS) GROUP BY id;",
    "emit final": "CREATE TABLE out AS SELECT id, COUNT(*) AS n FROM ev "
                  "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY id EMIT FINAL;",
    "table source": "CREATE TABLE out AS SELECT grp, SUM(v) AS s, COUNT(*) AS n FROM tv GROUP BY grp;",
}


def _events(n, start=0):
    return [(str(i % 3), {"v": i % 7, "d": "%d.25" % (i % 5), "tag": "t%d" % (i % 4)}, 1000 * i)
            for i in range(start, start + n)]


def _table_rows(n, start=0):
    return [(str(i % 5), {"grp": "g%d" % (i % 2), "v": i}, 1000 * i) for i in range(start, start + n)]


def _run(broker, ddl, query, rows):
    e = Engine(PROPS, broker=broker)
    if broker.topic("ev") is None:
        e.create_topic("ev")
        e.create_topic("tv")
    e.execute(ddl)
    e.execute(query)
    topic = "tv" if "FROM tv" in query else "ev"
    for k, v, ts in rows:
        e.produce(topic, json.dumps(v), key=k, timestamp=ts)
    e.drain()
    return e


def _outputs(e):
    """The table's latest value per key (and window): what the record cache leaves the same
    whichever way the input was cut into batches."""
    return {r.key: r.value for r in e.records("OUT")}


@pytest.mark.parametrize("name", sorted(AGGREGATIONS))
def test_restart_from_the_changelog_continues_every_aggregation_kind(name):
    query = AGGREGATIONS[name]
    ddl, gen = (TABLE_SRC, _table_rows) if "FROM tv" in query else (STREAM, _events)
    whole = _run(MemoryBroker(), ddl, query, gen(40))
    shared = MemoryBroker()
    first = _run(shared, ddl, query, gen(25))
    second = _run(shared, ddl, query, gen(15, 25))
    (q,) = second.queries.values()
    assert q.state == "RUNNING" and q.checkpoint.restored_positions
    assert _outputs(second) == _outputs(whole)
    assert first.queries


# ------------------------------------------------------------------ refused snapshots ---

class _Exploit:
    """Unpickling this runs a shell command that creates the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch %s" % self.marker,))


def plant(broker, topic: str, payload: bytes, gen: int = 99) -> None:
    """Write ``payload`` as a complete one-chunk snapshot, as an attacker with write access
    to the cluster could (the manifest is written last and points at it)."""
    manifest = {"gen": gen, "slot": 1, "chunks": 1, "positions": [[0, 0, 0]]}
    broker.produce_batch([
        (topic, 0, b"state/1/0", payload, None, (("gen", str(gen).encode()),), ()),
        (topic, 0, b"state", json.dumps(manifest).encode(), None, (), ()),
    ])


COUNT = "CREATE TABLE out AS SELECT id, COUNT(*) AS n FROM ev GROUP BY id;"


def _refused_engine(tmp_path, payload=None):
    broker = MemoryBroker()
    _run(broker, STREAM, COUNT, _events(5))
    topic = changelog_topic("default_", "CTAS_OUT_0", "state")
    marker = tmp_path / "pwned"
    plant(broker, topic, payload or pickle.dumps(_Exploit(marker)))
    e = Engine(PROPS, broker=broker)
    e.execute(STREAM)
    e.execute(COUNT)
    return e, topic, marker


def test_a_pickle_in_the_changelog_is_never_unpickled(tmp_path):
    e, topic, marker = _refused_engine(tmp_path)
    e.drain()
    assert not marker.exists()
    status = e.query_status("CTAS_OUT_0")
    assert status["state"] == "ERROR"
    assert status["error"].startswith("state in changelog topic %s could not be restored: " % topic)


def test_a_refused_query_is_shown_with_its_reason_and_logged(tmp_path):
    e, topic, _ = _refused_engine(tmp_path)
    (shown,) = [r for r in e.execute("SHOW QUERIES;")[0].rows if r[0] == "CTAS_OUT_0"]
    assert shown[2].startswith("ERROR (state in changelog topic %s could not be restored" % topic)
    assert any(qid == "CTAS_OUT_0" and "could not be restored" in msg
               for _, msg, qid in e.processing_log.recent)


def test_a_refused_query_reads_no_input_and_keeps_the_changelog_untouched(tmp_path):
    e, topic, _ = _refused_engine(tmp_path)
    before = len(list(e.broker.records(topic)))
    e.produce("ev", json.dumps({"v": 1}), key="a", timestamp=1)
    e.drain()
    e.close()
    assert e.query_status("CTAS_OUT_0")["records_in"] == 0
    assert len(list(e.broker.records(topic))) == before


def test_a_snapshot_that_does_not_fit_the_operator_is_refused(tmp_path):
    from ksql_magic.runtime import state_codec
    bad = state_codec.dumps({"tasks": [[0, None, -1, None, [[None, [[("a",), ("a",), ["x"], 1,
                                                                       False]]]]]],
                             "prev": [], "late": 0, "null": 0})
    e, _, _ = _refused_engine(tmp_path, bad)
    assert "COUNT's accumulator should be a number" in e.query_status("CTAS_OUT_0")["error"]


def test_terminate_removes_the_refused_query_and_a_new_one_starts_empty(tmp_path):
    e, topic, _ = _refused_engine(tmp_path)
    e.execute("DROP TABLE out;")
    assert "CTAS_OUT_0" not in e.queries and e.broker.topic(topic) is None
    qid = e.execute(COUNT)[0].query_id
    e.produce("ev", json.dumps({"v": 1}), key="z", timestamp=10 ** 6)
    e.drain()
    assert e.query_status(qid)["state"] == "RUNNING"
    assert json.loads(list(e.records("OUT"))[-1].value) == {"N": 1}


# ------------------------------------------------------------------ UDAF accumulators ---

class _Box:
    def __init__(self, n=0):
        self.n = n


@udaf("sec_boxed_count", params=["INT"], returns="BIGINT")
class BoxedCount:
    def initialize(self):
        return _Box()

    def aggregate(self, acc, v):
        return _Box(acc.n + 1)

    def result(self, acc):
        return acc.n


@udaf("sec_boxed_count_data", params=["INT"], returns="BIGINT")
class BoxedCountAsData(BoxedCount):
    def to_data(self, acc):
        return acc.n

    def from_data(self, data):
        if not isinstance(data, int):
            raise ValueError("not a count")
        return _Box(data)


def test_udaf_with_an_object_accumulator_is_refused_at_create_when_state_is_persisted():
    e = Engine(PROPS)
    e.create_topic("ev")
    e.execute(STREAM)
    with pytest.raises(KsqlStatementError, match="_Box cannot be stored"):
        e.execute("CREATE TABLE out AS SELECT id, SEC_BOXED_COUNT(v) AS n FROM ev GROUP BY id;")
    assert "OUT" not in e.catalog.sources and not e.queries


def test_udaf_converting_its_accumulator_survives_a_restart():
    query = "CREATE TABLE out AS SELECT id, SEC_BOXED_COUNT_DATA(v) AS n FROM ev GROUP BY id;"
    shared = MemoryBroker()
    _run(shared, STREAM, query, _events(6))
    second = _run(shared, STREAM, query, _events(3, 6))
    assert json.loads(list(second.records("OUT"))[-1].value) == {"N": 3}


# ------------------------------------------------------------------ on a real broker ---

@pytest.mark.kafka
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_crafted_pickle_on_kafka_changelog_runs_nothing(tansu, tmp_path):
    tag = uuid.uuid4().hex[:8]
    src, sink = "ev_%s" % tag, "OUT_%s" % tag.upper()
    ddl = ("CREATE STREAM ev (id STRING KEY, v INT) WITH (kafka_topic='%s', value_format='JSON');"
           "CREATE TABLE %s AS SELECT id, COUNT(*) AS n FROM ev GROUP BY id;" % (src, sink))
    props = {"auto.offset.reset": "earliest", "ksql.streams.commit.interval.ms": "0"}
    with Engine(props, bootstrap_servers=tansu, timeout=5.0) as e:
        e.create_topic(src, 1)
        e.execute(ddl)
        e.produce(src, json.dumps({"v": 1}), key="a", timestamp=1)
        e.drain()
        (qid,) = e.queries
    topic = changelog_topic("default_", qid, "state")
    marker = tmp_path / "pwned"
    with Engine(props, bootstrap_servers=tansu, timeout=5.0) as attacker:
        plant(attacker.broker, topic, pickle.dumps(_Exploit(marker)))
    with Engine(props, bootstrap_servers=tansu, timeout=5.0) as e:
        e.execute(ddl)
        e.drain()
        status = e.query_status(qid)
        assert status["state"] == "ERROR"
        assert status["error"].startswith("state in changelog topic %s could not be restored: "
                                          "not state data" % topic)
    assert not marker.exists()


@udaf("sec_turns_object", params=["INT"], returns="BIGINT")
class TurnsObject:
    """Starts as a number (passes the CREATE check), then keeps an object."""

    def initialize(self):
        return 0

    def aggregate(self, acc, v):
        return _Box(1)

    def result(self, acc):
        return acc.n if isinstance(acc, _Box) else acc


def test_state_that_stops_encoding_stops_the_query_with_offsets_uncommitted():
    e = _run(MemoryBroker(), STREAM,
             "CREATE TABLE out AS SELECT id, SEC_TURNS_OBJECT(v) AS n FROM ev GROUP BY id;",
             _events(2))
    status = e.query_status("CTAS_OUT_0")
    assert status["state"] == "ERROR"
    assert "could not be written to changelog topic" in status["error"] and "_Box" in status["error"]
    assert e.broker.committed_offsets("_confluent-ksql-default_query_CTAS_OUT_0", "ev") == {}


def test_a_manifest_whose_chunks_are_gone_is_refused_not_started_empty(tmp_path):
    broker = MemoryBroker()
    _run(broker, STREAM, COUNT, _events(5))
    topic = changelog_topic("default_", "CTAS_OUT_0", "state")
    manifest = {"gen": 7, "slot": 1, "chunks": 2, "positions": [[0, 0, 5]]}
    broker.produce_batch([(topic, 0, b"state", json.dumps(manifest).encode(), None, (), ())])
    e = Engine(PROPS, broker=broker)
    e.execute(STREAM + COUNT)
    assert e.query_status("CTAS_OUT_0")["error"].endswith("chunk 0 of snapshot 7 is missing")
