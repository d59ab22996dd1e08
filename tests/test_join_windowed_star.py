"""SELECT * over a join of windowed sources: each windowed side brings its window bounds."""

import struct

from ksql_magic import Engine


def _windowed_key(k: int, start: int) -> bytes:
    # KAFKA key format, time window: the inner key, then the window start (8 bytes).
    return struct.pack(">i", k) + struct.pack(">q", start)


def _engine():
    engine = Engine({"auto.offset.reset": "earliest"})
    for name, topic in (("sensors", "sensors"), ("alarms", "alarms")):
        engine.execute("CREATE STREAM %s (id INT KEY, reading BIGINT) WITH (KAFKA_TOPIC='%s', "
                       "VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='TUMBLING', "
                       "WINDOW_SIZE='10 SECONDS');" % (name, topic))
    engine.execute("CREATE STREAM both_sides AS SELECT * FROM sensors s "
                   "JOIN alarms a WITHIN 1 MINUTE ON s.id = a.id;")
    return engine


def test_star_lays_out_key_window_bounds_then_values_per_side():
    with _engine() as engine:
        names = [c.name for c in engine.catalog.sources["BOTH_SIDES"].columns
                 if c.namespace in ("KEY", "VALUE")]
    assert names == ["S_ID", "S_WINDOWSTART", "S_WINDOWEND", "S_READING",
                     "A_ID", "A_WINDOWSTART", "A_WINDOWEND", "A_READING"]


def test_star_carries_each_sides_window_bounds_in_the_value():
    with _engine() as engine:
        engine.produce("sensors", b'{"READING": 7}', key=_windowed_key(3, 20_000), timestamp=20_000)
        engine.produce("alarms", b'{"READING": 9}', key=_windowed_key(3, 20_000), timestamp=20_500)
        engine.drain()
        rows = engine.execute("SELECT * FROM both_sides;")[0].rows
    # The result is windowed by the left side's window: its own bounds follow the key.
    assert rows == [[3, 20_000, 30_000, 20_000, 30_000, 7, 3, 20_000, 30_000, 9]]
