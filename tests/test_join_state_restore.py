"""Join operators survive a restart: snapshot_state() pickled, restore_state() into a freshly
planned operator, and the rest of the input gives what an uninterrupted run gives."""

import pickle

import pytest

from ksql_magic.engine import Engine

QUERIES = {
    "stream-stream outer with grace": "CREATE STREAM j AS SELECT ROWKEY AS k, a, b FROM l FULL OUTER "
                                      "JOIN r WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS ON l.id = r.id;",
    "stream-stream legacy left": "CREATE STREAM j AS SELECT l.id, a, b FROM l LEFT JOIN r "
                                 "WITHIN 10 SECONDS ON l.id = r.id;",
    "stream-table": "CREATE STREAM j AS SELECT l.id, a, b FROM l LEFT JOIN t ON l.id = t.id;",
}


class _Rec:
    def __init__(self, seq):
        self.seq = seq


def _operator(sql):
    e = Engine()
    for ddl in ("CREATE STREAM l (id INT KEY, a INT)", "CREATE STREAM r (id INT KEY, b INT)",
                "CREATE TABLE t (id INT PRIMARY KEY, b INT)"):
        name = ddl.split()[2]
        e.execute(ddl + " WITH (kafka_topic='%s', value_format='JSON', partitions=1);" % name)
    e.execute(sql)
    (q,) = e.queries.values()
    return q.plan.stateful


def _inputs(n=300):
    """(input index, row) pairs: ids repeat, times wander forwards with some disorder."""
    out = []
    for i in range(n):
        ts = i * 1500 - (4000 if i % 7 == 0 else 0)
        out.append((i % 2, [i % 11, i, ts, 0, i]))
    return out


def _run(op, inputs):
    emits = []
    for n, (side, row) in enumerate(inputs):
        emits += [(e.key, e.value, e.timestamp) for e in op.process(side, [(row, False, _Rec((n,)))])]
    return emits


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_restored_join_continues_exactly_like_an_uninterrupted_one(name):
    inputs = _inputs()
    whole = _run(_operator(QUERIES[name]), inputs)
    first = _operator(QUERIES[name])
    before = _run(first, inputs[:150])
    saved = pickle.dumps(first.snapshot_state())
    second = _operator(QUERIES[name])
    second.restore_state(pickle.loads(saved))
    after = _run(second, inputs[150:])
    assert before + after == whole
    assert len(whole) > 50
