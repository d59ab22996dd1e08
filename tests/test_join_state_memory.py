"""Stream-stream join state stays flat: WITHIN 1 MINUTE over 2,000,000 events per side.

Rows go straight into the join operator's ``process()`` (the operator the engine planned for
the statement), skipping JSON and the broker: at 4,000,000 records those would take minutes,
and they hold no join state. The cyclic garbage collector is paused while feeding (the test
measures state, not speed; with ~170,000 live rows each full collection rescans them all).
The test takes ~30-60 s (more on a loaded machine); it is the issue's memory figure.
"""

import gc
import time

from ksql_magic.engine import Engine

PER_SIDE = 2_000_000
BATCH = 10_000
KEYS = 5_000
STEP_MS = 1_000           # one event per second per side: 24 h of (legacy) grace = 86,400 rows


class _Rec:
    __slots__ = ("seq",)

    def __init__(self, seq):
        self.seq = seq


def _join_operator(sql_within: str):
    e = Engine()
    e.execute("CREATE STREAM l (id INT KEY, a INT) WITH (kafka_topic='l', value_format='JSON', "
              "partitions=1);")
    e.execute("CREATE STREAM r (id INT KEY, b INT) WITH (kafka_topic='r', value_format='JSON', "
              "partitions=1);")
    e.execute("CREATE STREAM j AS SELECT ROWKEY AS id, a, b FROM l FULL OUTER JOIN r %s ON l.id = r.id;"
              % sql_within)
    (q,) = e.queries.values()
    return q.plan.stateful


def _feed(op, start: int, stop: int) -> int:
    """Both sides, interleaved batch by batch; row = [key, value, ROWTIME, partition, offset]."""
    emitted = 0
    rec = _Rec(())
    for lo in range(start, stop, BATCH):
        hi = min(lo + BATCH, stop)
        for side in (0, 1):
            items = [([i % KEYS, i, i * STEP_MS + side, 0, i], False, rec) for i in range(lo, hi)]
            emitted += len(op.process(side, items))
    return emitted


def _sizes(within: str) -> tuple[int, int, float]:
    op = _join_operator(within)
    t0 = time.perf_counter()
    gc.disable()
    try:
        _feed(op, 0, PER_SIDE // 4)
        at_half_million = op.state_size()
        _feed(op, PER_SIDE // 4, PER_SIDE)
    finally:
        gc.enable()
    return at_half_million, op.state_size(), time.perf_counter() - t0


def test_stream_stream_join_state_is_flat_from_half_a_million_to_two_million_events():
    small, large, _ = _sizes("WITHIN 1 MINUTE")
    # retention = 1 min before + 1 min after + 24 h default grace, on each side
    assert 2 * 86_400 <= small <= 2 * 86_600
    assert abs(large - small) <= 0.10 * small


def test_stream_stream_join_state_with_grace_is_bounded_by_within_plus_grace():
    op = _join_operator("WITHIN 1 MINUTE GRACE PERIOD 30 SECONDS")
    _feed(op, 0, 100_000)
    # each side keeps 2.5 minutes of rows (plus outer rows waiting for their window to close)
    assert op.state_size() <= 2 * (150 + 1) + 2 * 100
