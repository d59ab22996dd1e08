"""Hopping and session windows, and EMIT FINAL, through the engine."""

import json

from ksql_magic import Engine

STREAM = ("CREATE STREAM clicks (user VARCHAR KEY, page VARCHAR) "
          "WITH (kafka_topic='clicks', value_format='JSON', partitions=1);")


def _run(query, events, props=None):
    e = Engine(properties=props or {})
    e.execute(STREAM)
    e.execute(query)
    for user, ts in events:
        e.produce("clicks", b'{"page":"p"}', key=user.encode(), timestamp=ts)
    e.drain()
    return e


def _final(e, topic):
    table = {}
    for r in e.records(topic):
        k = (r.key[:-8] if r.window[1] is not None and len(r.key) > 8 else r.key, r.window)
        table[k] = None if r.value is None else json.loads(r.value)
    return {k: v for k, v in table.items() if v is not None}


def test_hopping_counts_a_record_in_every_window_it_falls_in():
    e = _run("CREATE TABLE c AS SELECT user, COUNT(*) AS n FROM clicks "
             "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY user;",
             [("u", 1_000), ("u", 7_000), ("u", 12_000)])
    got = {r.window: json.loads(r.value)["N"] for r in e.records("C")}
    assert got == {(0, 10_000): 2, (5_000, 15_000): 2, (10_000, 20_000): 1}


def test_session_windows_merge_and_delete_their_parts():
    e = _run("CREATE TABLE s AS SELECT user, COUNT(*) AS n FROM clicks "
             "WINDOW SESSION (1 MINUTE) GROUP BY user;",
             [("u", 0), ("u", 100_000), ("u", 50_000)])
    outs = [(r.window, None if r.value is None else json.loads(r.value)["N"]) for r in e.records("S")]
    # the bridging record merges [0,0] and [100000,100000] into [0,100000]
    assert outs[-3:] == [((0, 0), None), ((100_000, 100_000), None), ((0, 100_000), 3)]


def test_late_record_beyond_grace_is_dropped_and_counted():
    e = _run("CREATE TABLE c AS SELECT user, COUNT(*) AS n FROM clicks "
             "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY user;",
             [("u", 1_000), ("u", 30_000), ("u", 2_000)])
    got = {r.window: json.loads(r.value)["N"] for r in e.records("C")}
    assert got == {(0, 10_000): 1, (30_000, 40_000): 1}
    assert sum(q.stats.late_dropped for q in e.queries.values()) == 1


def test_emit_final_emits_each_window_once_when_it_closes():
    e = _run("CREATE TABLE c AS SELECT user, COUNT(*) AS n FROM clicks "
             "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY user EMIT FINAL;",
             [("u", 1_000), ("u", 2_000), ("u", 11_000), ("u", 12_000), ("u", 25_000)])
    got = [(r.window, json.loads(r.value)["N"]) for r in e.records("C")]
    assert got == [((0, 10_000), 2), ((10_000, 20_000), 2)]
