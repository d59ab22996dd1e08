"""snapshot_state / restore_state: an aggregation restored from its snapshot, encoded as
changelog data (state_codec), continues exactly where the original left off (what a
changelog restore relies on)."""

from collections import namedtuple

from ksql_magic import Engine
from ksql_magic.runtime import state_codec

Rec = namedtuple("Rec", "seq partition")
QUERY = ("CREATE TABLE c AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM ev "
         "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY id;")


def _operator():
    e = Engine(properties={"ksql.streams.cache.max.bytes.buffering": "0"})
    e.execute("CREATE STREAM ev (id VARCHAR KEY, v INT) "
              "WITH (kafka_topic='ev', value_format='JSON', partitions=1);")
    e.execute(QUERY)
    (query,) = e.queries.values()
    return query.plan.stateful


def _items(rows):
    return [([k, v, ts, 0, i], False, Rec((i,), 0)) for i, (k, v, ts) in enumerate(rows)]


FIRST = [("a", 1, 1_000), ("b", 2, 2_000), ("a", 3, 12_000)]
SECOND = [("a", 4, 3_000), ("b", 5, 30_000), ("a", 6, 4_000)]   # the last is late


def _shown(emits):
    return [(e.key, e.value, e.window) for e in emits]


def test_restored_operator_continues_like_the_original():
    original = _operator()
    original.process(0, _items(FIRST))
    saved = state_codec.loads(state_codec.dumps(original.snapshot_state()))
    restored = _operator()
    restored.restore_state(saved)
    assert _shown(restored.process(0, _items(SECOND))) == _shown(original.process(0, _items(SECOND)))
    assert restored.late_dropped == original.late_dropped == 1
