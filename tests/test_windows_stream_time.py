"""Stream time is kept per task, as in Kafka Streams: one partition running ahead does not
close the windows of another partition that is behind."""

import json

from ksql_magic import Engine

GRACE_QUERY = ("CREATE TABLE c AS SELECT id, COUNT(*) AS n FROM ev "
               "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY %s;")


def _engine(group_by):
    e = Engine()
    e.execute("CREATE STREAM ev (id VARCHAR KEY, kind VARCHAR) "
              "WITH (kafka_topic='ev', value_format='JSON', partitions=2);")
    e.execute(GRACE_QUERY % group_by)
    return e


def _produce(e, rows):
    for key, ts, partition in rows:
        e.produce("ev", b'{"kind":"k"}', key=key.encode(), timestamp=ts, partition=partition)
    e.drain()


def _counts(e):
    return {(r.key[:-8].decode(), r.window[0]): json.loads(r.value)["N"] for r in e.records("C")}


def test_partition_behind_keeps_its_windows_open():
    e = _engine("id")                       # grouped by the key: no repartition, task per partition
    _produce(e, [("a", 1_000, 0), ("a", 60_000, 0),    # partition 0 runs a minute ahead
                 ("b", 2_000, 1), ("b", 3_000, 1)])   # partition 1 is still in its first window
    assert _counts(e)[("b", 0)] == 2


def test_late_within_its_own_partition_is_dropped():
    e = _engine("id")
    _produce(e, [("b", 2_000, 1), ("b", 60_000, 1), ("b", 3_000, 1)])
    assert _counts(e) == {("b", 0): 1, ("b", 60_000): 1}
