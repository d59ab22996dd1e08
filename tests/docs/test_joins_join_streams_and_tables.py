"""https://docs.ksqldb.io/en/latest/developer-guide/joins/join-streams-and-tables/

The page's semantic tables, replayed record by record: stream-stream joins (window 15,
grace 5), stream-table joins (only stream records trigger; tombstones delete) and
primary-key table-table joins (tombstones retract).

Where the page and ksqlDB's code differ, the code decides: Kafka Streams' outer join
(KStreamKStreamJoin.emitNonJoinedOuterRecords) holds an unmatched row while
``ts + after + grace >= stream time`` and checks only when a record moves stream time on.
So E (t=40) comes out with the first record *after* t=60, not with F at t=60 as the page's
table shows; every row the page lists still comes out, in its order, once stream time
passes the boundary (here a record at t=100.001 s closes f's window)."""

import pytest

from conftest import push_rows

# (time, side, value): None is a null value; the page's table, in timestamp order
STREAM_STREAM = [(1, "L", None), (2, "R", None), (3, "L", "A"), (4, "R", "a"), (5, "L", "B"),
                 (6, "R", "b"), (7, "L", None), (8, "R", None), (9, "L", "C"), (10, "R", "c"),
                 (11, "R", None), (12, "L", None), (13, "R", None), (14, "R", "d"), (15, "L", "D"),
                 (40, "L", "E"), (60, "L", "F"), (80, "R", "f"), (100, "L", "G"), (100.001, "L", "H")]

INNER = [("A", "a"), ("B", "a"), ("A", "b"), ("B", "b"), ("C", "a"), ("C", "b"), ("A", "c"),
         ("B", "c"), ("C", "c"), ("A", "d"), ("B", "d"), ("C", "d"), ("D", "a"), ("D", "b"),
         ("D", "c"), ("D", "d")]


def _two_streams(engine):
    engine.execute("CREATE STREAM lefts (id INT KEY, v VARCHAR) WITH (kafka_topic='lefts', "
                   "partitions=1, value_format='json');"
                   "CREATE STREAM rights (id INT KEY, v VARCHAR) WITH (kafka_topic='rights', "
                   "partitions=1, value_format='json');")


def _play(engine, events, left_topic, right_topic):
    import json
    for sec, side, value in events:
        topic = left_topic if side == "L" else right_topic
        payload = None if value is None else json.dumps({"V": value})
        engine.produce(topic, payload, key=b"\x00\x00\x00\x01", timestamp=round(sec * 1000))


@pytest.mark.parametrize("kind, extra", [
    ("INNER", []),
    ("LEFT", [("E", None), ("F", None)]),
    ("FULL OUTER", [("E", None), ("F", None), (None, "f")]),
])
def test_stream_stream_join_table(engine, kind, extra):
    _two_streams(engine)
    engine.execute("CREATE STREAM joined AS SELECT %s AS id, l.v AS lv, r.v AS rv FROM lefts l "
                   "%s JOIN rights r WITHIN 15 SECONDS GRACE PERIOD 5 SECONDS ON l.id = r.id;"
                   % ("ROWKEY" if kind == "FULL OUTER" else "l.id", kind))
    _play(engine, STREAM_STREAM, "lefts", "rights")
    engine.drain()
    rows = push_rows(engine, "SELECT lv, rv FROM joined EMIT CHANGES;", len(INNER) + len(extra))
    assert [tuple(r) for r in rows] == INNER + extra


def test_stream_stream_left_join_emits_null_padding_once_grace_has_passed(engine):
    """E (t=40) is unmatched: its window closes at 40+15+5 = 60; stream time 60 still holds
    it (Kafka Streams' >=), the first record past 60 releases it."""
    _two_streams(engine)
    engine.execute("CREATE STREAM joined AS SELECT l.id AS id, l.v AS lv, r.v AS rv FROM lefts l "
                   "LEFT JOIN rights r WITHIN 15 SECONDS GRACE PERIOD 5 SECONDS ON l.id = r.id;")
    _play(engine, [(40, "L", "E"), (60, "L", "F")], "lefts", "rights")
    engine.drain()
    assert [r.value for r in engine.records("JOINED")] == []
    _play(engine, [(60.001, "L", "X")], "lefts", "rights")
    engine.drain()
    assert [r.value for r in engine.records("JOINED")] == [b'{"LV":"E","RV":null}']


STREAM_TABLE = [(1, "L", None), (2, "R", None), (3, "L", "A"), (4, "R", "a"), (5, "L", "B"),
                (6, "R", "b"), (7, "L", None), (8, "R", None), (9, "L", "C"), (10, "R", "c"),
                (11, "R", None), (12, "L", None), (13, "R", None), (14, "R", "d"), (15, "L", "D")]


@pytest.mark.parametrize("kind, expected", [
    ("INNER", [("B", "a"), ("D", "d")]),
    ("LEFT", [("A", None), ("B", "a"), ("C", None), ("D", "d")]),
])
def test_stream_table_join_table(engine, kind, expected):
    engine.execute("CREATE STREAM lefts (id INT KEY, v VARCHAR) WITH (kafka_topic='lefts', "
                   "partitions=1, value_format='json');"
                   "CREATE TABLE rights (id INT PRIMARY KEY, v VARCHAR) WITH (kafka_topic='rights', "
                   "partitions=1, value_format='json');"
                   "CREATE STREAM joined AS SELECT l.id AS id, l.v AS lv, r.v AS rv FROM lefts l "
                   "%s JOIN rights r ON l.id = r.id;" % kind)
    _play(engine, STREAM_TABLE, "lefts", "rights")
    engine.drain()
    rows = push_rows(engine, "SELECT lv, rv FROM joined EMIT CHANGES;", len(expected))
    assert [tuple(r) for r in rows] == expected


TABLE_TABLE = [(1, "L", None), (2, "R", None), (3, "L", "A"), (4, "R", "a"), (5, "L", "B"),
               (6, "R", "b"), (7, "L", None)]


@pytest.mark.parametrize("kind, expected", [
    ("INNER", [("A", "a"), ("B", "a"), ("B", "b"), None]),
    ("LEFT", [("A", None), ("A", "a"), ("B", "a"), ("B", "b"), None]),
    ("FULL OUTER", [("A", None), ("A", "a"), ("B", "a"), ("B", "b"), (None, "b")]),
])
def test_primary_key_table_table_join_table(engine, kind, expected):
    engine.execute("CREATE TABLE lefts (id INT PRIMARY KEY, v VARCHAR) WITH (kafka_topic='lefts', "
                   "partitions=1, value_format='json');"
                   "CREATE TABLE rights (id INT PRIMARY KEY, v VARCHAR) WITH (kafka_topic='rights', "
                   "partitions=1, value_format='json');"
                   "CREATE TABLE joined AS SELECT %s AS id, l.v AS lv, r.v AS rv FROM lefts l "
                   "%s JOIN rights r ON l.id = r.id;" % ("ROWKEY" if kind == "FULL OUTER" else "l.id", kind))
    _play(engine, TABLE_TABLE, "lefts", "rights")
    engine.drain()
    import json
    out = [None if r.value is None else tuple(json.loads(r.value).values())
           for r in engine.records("JOINED")]
    assert out == expected
