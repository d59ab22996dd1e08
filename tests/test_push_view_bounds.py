"""A push query's live view stays bounded: windows leave it past retention, tables keep their
newest max_rows keys, and leaving the view is not a change sent to displays."""

from ksql_magic import Engine
from ksql_magic.results import QueryHandle
from ksql_magic.runtime.sink import Emit


def _windowed_view(window_clause: str, n: int, users: int = 10, step_ms: int = 100):
    engine = Engine({"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM taps (user_id VARCHAR KEY, screen VARCHAR) WITH ("
                   "KAFKA_TOPIC='taps', VALUE_FORMAT='JSON', PARTITIONS=1);")
    handle = engine.execute("SELECT user_id, WINDOWSTART AS ws, COUNT(*) AS n FROM taps WINDOW %s GROUP BY user_id "
                            "EMIT CHANGES;" % window_clause)[0].handle
    engine.produce_batch("taps", [b'{"SCREEN":"home"}'] * n,
                         keys=["u%d" % (i % users) for i in range(n)],
                         timestamps=[i * step_ms for i in range(n)])
    engine.drain()
    return engine, handle


def test_200k_records_keep_a_windowed_view_bounded():
    engine, handle = _windowed_view("TUMBLING (SIZE 1 SECOND, GRACE PERIOD 0 SECONDS)", 200_000)
    # one-second windows over 20,000 s of events: only the open window's 10 users remain
    assert handle.query.stats.records_in == 200_000
    assert len(handle.rows) == 10
    assert {r["WS"] for r in handle.rows} == {19_999_000}
    engine.close()


def test_windows_within_retention_stay():
    engine, handle = _windowed_view("TUMBLING (SIZE 1 SECOND, RETENTION 5 SECONDS, "
                                    "GRACE PERIOD 0 SECONDS)", 300, users=3)
    # stream time 29,900: a window is kept while start + 5 s >= stream time (the operator's
    # store rule), so those starting at 25,000 .. 29,000
    starts = sorted({r["WS"] for r in handle.rows})
    assert starts == [25_000, 26_000, 27_000, 28_000, 29_000]
    assert len(handle.rows) == 5 * 3
    engine.close()


def test_default_grace_keeps_every_window_of_a_short_run():
    engine, handle = _windowed_view("TUMBLING (SIZE 1 SECOND)", 300, users=3)
    assert len(handle.rows) == 30 * 3            # 24 h of grace: nothing is past retention
    engine.close()


def test_expired_windows_are_not_sent_as_deletes():
    engine, handle = _windowed_view("TUMBLING (SIZE 1 SECOND, GRACE PERIOD 0 SECONDS)", 200,
                                    users=2)
    _, changes = handle.changes(0)
    assert {c.op for c in changes} == {"upsert"}
    assert len({c.key for c in changes}) == 20 * 2 > len(handle.rows)
    engine.close()


def test_a_table_view_keeps_its_newest_keys():
    handle = QueryHandle("q", ["ID", "V"], ["ID"], is_table=True, windowed=False, max_rows=4)
    handle.accept([Emit(["k%d" % i], [i], i) for i in range(10)])
    handle.accept([Emit(["k7"], [70], 11)])
    assert handle.rows == [{"ID": "k6", "V": 6}, {"ID": "k7", "V": 70},
                           {"ID": "k8", "V": 8}, {"ID": "k9", "V": 9}]
