"""Join operators survive a restart: snapshot_state() encoded as changelog data (state_codec,
no pickle), restore_state() into a freshly planned operator, and the rest of the input gives
what an uninterrupted run gives."""

import pytest

from ksql_magic.engine import Engine
from ksql_magic.runtime import state_codec

QUERIES = {
    "stream-stream outer with grace": "CREATE STREAM j AS SELECT ROWKEY AS k, a, b FROM l FULL OUTER "
                                      "JOIN r WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS ON l.id = r.id;",
    "stream-stream legacy left": "CREATE STREAM j AS SELECT l.id, a, b FROM l LEFT JOIN r "
                                 "WITHIN 10 SECONDS ON l.id = r.id;",
    "stream-table": "CREATE STREAM j AS SELECT l.id, a, b FROM l LEFT JOIN t ON l.id = t.id;",
    "table-table": "CREATE TABLE j AS SELECT ROWKEY AS k, t.b AS tb, u.b AS ub FROM t FULL OUTER JOIN u "
                   "ON t.id = u.id;",
    "foreign key": "CREATE TABLE j AS SELECT t.id, t.b, u.b AS ub FROM t LEFT JOIN u ON t.b = u.id;",
    "three-way chain": "CREATE STREAM j AS SELECT l.id, a, r.b, t.b AS tb FROM l JOIN r WITHIN "
                       "10 SECONDS ON l.id = r.id LEFT JOIN t ON l.id = t.id;",
    "join then aggregate": "CREATE TABLE j AS SELECT l.id, COUNT(*) AS n, COLLECT_LIST(b) AS bs "
                           "FROM l JOIN t ON l.id = t.id GROUP BY l.id;",
}


class _Rec:
    def __init__(self, seq):
        self.seq = seq


def _operator(sql):
    e = Engine()
    for ddl in ("CREATE STREAM l (id INT KEY, a INT)", "CREATE STREAM r (id INT KEY, b INT)",
                "CREATE TABLE t (id INT PRIMARY KEY, b INT)",
                "CREATE TABLE u (id INT PRIMARY KEY, b INT)"):
        name = ddl.split()[2]
        e.execute(ddl + " WITH (kafka_topic='%s', value_format='JSON', partitions=1);" % name)
    e.execute(sql)
    (q,) = e.queries.values()
    return q.plan.stateful


def _inputs(n=300, sides=2):
    """(input index, row) pairs: ids repeat, times wander forwards with some disorder."""
    out = []
    for i in range(n):
        ts = i * 1500 - (4000 if i % 7 == 0 else 0)
        key = i % 11 if sides == 2 else (i // sides) % 4   # each round of sides shares a key
        out.append((i % sides, [key, i % 13, ts, 0, i]))
    return out


def _run(op, inputs):
    emits = []
    for n, (side, row) in enumerate(inputs):
        emits += [(e.key, e.value, e.timestamp) for e in op.process(side, [(row, False, _Rec((n,)))])]
    return emits


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_restored_join_continues_exactly_like_an_uninterrupted_one(name):
    inputs = _inputs(sides=3 if "three" in name else 2)
    whole = _run(_operator(QUERIES[name]), inputs)
    first = _operator(QUERIES[name])
    before = _run(first, inputs[:150])
    saved = state_codec.dumps(first.snapshot_state())
    second = _operator(QUERIES[name])
    second.restore_state(state_codec.loads(saved))
    after = _run(second, inputs[150:])
    assert before + after == whole
    assert len(whole) > 50
