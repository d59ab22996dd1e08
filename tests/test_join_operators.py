"""Join operators through the engine: lookup timing, windows, grace, tombstones, bounded state."""

import json

import pytest

from ksql_magic.engine import Engine

S = 1000


@pytest.fixture
def engine():
    e = Engine()
    e.execute("CREATE STREAM clicks (user_id VARCHAR KEY, page VARCHAR) "
              "WITH (kafka_topic='clicks', value_format='JSON', partitions=1);")
    e.execute("CREATE STREAM buys (user_id VARCHAR KEY, amount INT) "
              "WITH (kafka_topic='buys', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE users (user_id VARCHAR PRIMARY KEY, tier VARCHAR) "
              "WITH (kafka_topic='users', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE prefs (user_id VARCHAR PRIMARY KEY, lang VARCHAR) "
              "WITH (kafka_topic='prefs', value_format='JSON', partitions=1);")
    yield e
    e.close()


def put(e, topic, key, value, ts):
    e.produce(topic, None if value is None else json.dumps(value).encode(), key=key.encode(), timestamp=ts)


def out(e, topic):
    return [(r.key.decode(), None if r.value is None else json.loads(r.value), r.timestamp)
            for r in e.records(topic)]


def test_stream_table_join_sees_table_state_at_stream_record_time(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, tier FROM clicks c "
                   "LEFT JOIN users u ON c.user_id = u.user_id;")
    put(engine, "clicks", "u1", {"PAGE": "a"}, 1)
    put(engine, "users", "u1", {"TIER": "gold"}, 2)
    put(engine, "clicks", "u1", {"PAGE": "b"}, 3)
    engine.drain()
    assert out(engine, "X") == [("u1", {"PAGE": "a", "TIER": None}, 1), ("u1", {"PAGE": "b", "TIER": "gold"}, 3)]


def test_stream_table_inner_join_drops_unmatched_and_table_updates_emit_nothing(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, tier FROM clicks c "
                   "JOIN users u ON c.user_id = u.user_id;")
    put(engine, "clicks", "u1", {"PAGE": "a"}, 1)
    put(engine, "users", "u1", {"TIER": "gold"}, 2)
    put(engine, "users", "u1", None, 3)
    put(engine, "clicks", "u1", {"PAGE": "b"}, 4)
    engine.drain()
    assert out(engine, "X") == []


def test_stream_stream_join_matches_only_inside_within(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, amount FROM clicks c "
                   "JOIN buys b WITHIN 10 SECONDS ON c.user_id = b.user_id;")
    put(engine, "clicks", "u1", {"PAGE": "a"}, 0)
    put(engine, "buys", "u1", {"AMOUNT": 5}, 10 * S)
    put(engine, "buys", "u1", {"AMOUNT": 6}, 11 * S)
    engine.drain()
    assert out(engine, "X") == [("u1", {"PAGE": "a", "AMOUNT": 5}, 10 * S)]


def test_left_join_with_grace_emits_null_row_only_after_window_closes(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, amount FROM clicks c "
                   "LEFT JOIN buys b WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON c.user_id = b.user_id;")
    put(engine, "clicks", "u1", {"PAGE": "a"}, 0)
    put(engine, "clicks", "u2", {"PAGE": "b"}, 1 * S)
    put(engine, "buys", "u2", {"AMOUNT": 7}, 5 * S)
    engine.drain()
    assert out(engine, "X") == [("u2", {"PAGE": "b", "AMOUNT": 7}, 5 * S)]
    put(engine, "buys", "u9", {"AMOUNT": 1}, 30 * S)
    engine.drain()
    assert out(engine, "X")[-1] == ("u1", {"PAGE": "a", "AMOUNT": None}, 0)


def test_table_table_join_emits_tombstone_when_a_side_is_deleted(engine):
    engine.execute("CREATE TABLE x AS SELECT u.user_id, tier, lang FROM users u "
                   "JOIN prefs p ON u.user_id = p.user_id;")
    put(engine, "users", "u1", {"TIER": "gold"}, 1)
    put(engine, "prefs", "u1", {"LANG": "ja"}, 2)
    put(engine, "prefs", "u1", None, 3)
    engine.drain()
    assert out(engine, "X") == [("u1", {"TIER": "gold", "LANG": "ja"}, 2), ("u1", None, 3)]


def test_three_way_join_chains_two_lookups(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, tier, lang FROM clicks c "
                   "JOIN users u ON c.user_id = u.user_id JOIN prefs p ON c.user_id = p.user_id;")
    put(engine, "users", "u1", {"TIER": "gold"}, 1)
    put(engine, "prefs", "u1", {"LANG": "ja"}, 2)
    put(engine, "clicks", "u1", {"PAGE": "a"}, 3)
    engine.drain()
    assert out(engine, "X") == [("u1", {"PAGE": "a", "TIER": "gold", "LANG": "ja"}, 3)]


def test_stream_stream_join_state_stays_bounded_by_within_and_grace(engine):
    engine.execute("CREATE STREAM x AS SELECT c.user_id, page, amount FROM clicks c "
                   "JOIN buys b WITHIN 1 MINUTE GRACE PERIOD 0 SECONDS ON c.user_id = b.user_id;")
    query = next(iter(engine.queries.values()))
    op = query.plan.stateful
    sizes = []
    for step in range(2):
        for i in range(4000):
            ts = (step * 4000 + i) * S
            put(engine, "clicks", "u%d" % (i % 50), {"PAGE": "p"}, ts)
            put(engine, "buys", "u%d" % (i % 50), {"AMOUNT": i}, ts)
        engine.drain()
        sizes.append(sum(len(v) for buf in op.buffers for v in buf.values()))
    assert abs(sizes[1] - sizes[0]) <= 0.1 * sizes[0]
