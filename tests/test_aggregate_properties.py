"""Engine properties reach aggregate functions: a SET collect limit caps the persisted lists."""

import json

from ksql_magic import Engine


def _last_value(engine, topic):
    return json.loads([r.value for r in engine.records(topic)][-1])


def test_set_collect_limits_apply_to_later_queries():
    e = Engine(properties={"auto.offset.reset": "earliest",
                           "ksql.streams.cache.max.bytes.buffering": "0"})
    try:
        e.execute("CREATE STREAM readings (sensor STRING KEY, level INT) "
                  "WITH (kafka_topic='readings', value_format='JSON', partitions=1);")
        e.execute("SET 'ksql.functions.collect_list.limit'='2';")
        e.execute("SET 'ksql.functions.collect_set.limit'='3';")
        e.execute("CREATE TABLE levels AS SELECT sensor, COLLECT_LIST(level) AS seen, "
                  "COLLECT_SET(level) AS distinct_seen FROM readings GROUP BY sensor;")
        for level in (7, 7, 3, 9, 1):
            e.produce("readings", json.dumps({"LEVEL": level}), key="s1")
        e.drain()
        assert _last_value(e, "LEVELS") == {"SEEN": [7, 7], "DISTINCT_SEEN": [7, 3, 9]}
    finally:
        e.close()
