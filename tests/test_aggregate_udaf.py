"""A Python user-defined aggregate (initialize / aggregate / undo / merge / result)."""

import json

from ksql_magic import Engine, udaf


@udaf("geo_spread", params=["DOUBLE"], returns="DOUBLE")
class GeoSpread:
    """Max minus min of the values seen; undo is supported by keeping every value."""

    def initialize(self):
        return []

    def aggregate(self, acc, value):
        return acc + [value] if value is not None else acc

    def undo(self, acc, value):
        acc = list(acc)
        if value in acc:
            acc.remove(value)
        return acc

    def merge(self, a, b):
        return a + b

    def result(self, acc):
        return max(acc) - min(acc) if acc else None


def _values(engine, topic):
    out = {}
    for r in engine.records(topic):
        out[r.key] = None if r.value is None else json.loads(r.value)
    return out


def test_udaf_over_a_stream():
    e = Engine()
    e.execute("CREATE STREAM r (sensor VARCHAR KEY, temp DOUBLE) "
              "WITH (kafka_topic='r', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE spread AS SELECT sensor, GEO_SPREAD(temp) AS s FROM r GROUP BY sensor;")
    for i, t in enumerate([20.0, 25.5, 18.0]):
        e.produce("r", json.dumps({"temp": t}).encode(), key=b"a", timestamp=i)
    e.drain()
    assert _values(e, "SPREAD")[b"a"] == {"S": 7.5}


def test_udaf_undo_on_table_update():
    e = Engine()
    e.execute("CREATE TABLE t (id VARCHAR PRIMARY KEY, grp VARCHAR, temp DOUBLE) "
              "WITH (kafka_topic='t', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE spread AS SELECT grp, GEO_SPREAD(temp) AS s FROM t GROUP BY grp;")
    rows = [("x", 10.0), ("y", 30.0), ("y", 12.0)]       # y's update undoes its 30.0
    for i, (k, t) in enumerate(rows):
        e.produce("t", json.dumps({"grp": "g", "temp": t}).encode(), key=k.encode(), timestamp=i)
    e.drain()
    assert _values(e, "SPREAD")[b"g"] == {"S": 2.0}


def test_udaf_merges_session_windows():
    e = Engine()
    e.execute("CREATE STREAM r (sensor VARCHAR KEY, temp DOUBLE) "
              "WITH (kafka_topic='r', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE spread AS SELECT sensor, GEO_SPREAD(temp) AS s FROM r "
              "WINDOW SESSION (20 SECONDS) GROUP BY sensor;")
    for ts, t in [(0, 1.0), (30_000, 9.0), (15_000, 4.0)]:   # the last one bridges the two
        e.produce("r", json.dumps({"temp": t}).encode(), key=b"a", timestamp=ts)
    e.drain()
    live = {(r.window, json.loads(r.value)["S"]) for r in e.records("SPREAD") if r.value is not None}
    dead = {r.window for r in e.records("SPREAD") if r.value is None}
    assert ((0, 30_000), 8.0) in live and dead == {(0, 0), (30_000, 30_000)}
