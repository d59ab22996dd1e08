"""https://docs.ksqldb.io/en/latest/how-to-guides/convert-changelog-to-table/

A changelog topic read as a SOURCE TABLE, and a changelog stream materialized with
LATEST_BY_OFFSET: the pull queries show the last change of each key."""

from conftest import pull_rows

CHANGES = [("d1", 0, "idle", True), ("d2", 1, "busy", False), ("d1", 2, "busy", False),
           ("d3", 3, "idle", True), ("d2", 4, "off", True)]


def _produce_changelog(engine, topic):
    import json
    for k, v1, v2, v3 in CHANGES:
        engine.produce(topic, json.dumps({"V1": v1, "V2": v2, "V3": v3}), key=k)


def test_source_table_shows_the_latest_value_per_key(engine):
    engine.create_topic("device_log")
    _produce_changelog(engine, "device_log")
    engine.execute("CREATE SOURCE TABLE device_view (k VARCHAR PRIMARY KEY, v1 INT, v2 VARCHAR, "
                   "v3 BOOLEAN) WITH (kafka_topic='device_log', partitions=1, value_format='JSON');")
    engine.drain()
    assert pull_rows(engine, "SELECT * FROM device_view;") == [
        ["d1", 2, "busy", False], ["d2", 4, "off", True], ["d3", 3, "idle", True]]
    assert pull_rows(engine, "SELECT * FROM device_view WHERE k = 'd2';") == [["d2", 4, "off", True]]


def test_changelog_stream_pull_query_shows_every_change(engine):
    engine.execute("CREATE STREAM device_changes (k VARCHAR KEY, v1 INT, v2 VARCHAR, v3 BOOLEAN) "
                   "WITH (kafka_topic='device_changes', partitions=1, value_format='JSON');")
    for k, v1, v2, v3 in CHANGES:
        engine.execute("INSERT INTO device_changes (k, v1, v2, v3) VALUES ('%s', %d, '%s', %s);"
                       % (k, v1, v2, str(v3).lower()))
    assert pull_rows(engine, "SELECT * FROM device_changes;") == [list(c) for c in CHANGES]


def test_latest_by_offset_table_shows_the_latest_value_per_key(engine):
    engine.execute("CREATE STREAM device_changes (k VARCHAR KEY, v1 INT, v2 VARCHAR, v3 BOOLEAN) "
                   "WITH (kafka_topic='device_changes', partitions=1, value_format='JSON');")
    for k, v1, v2, v3 in CHANGES:
        engine.execute("INSERT INTO device_changes (k, v1, v2, v3) VALUES ('%s', %d, '%s', %s);"
                       % (k, v1, v2, str(v3).lower()))
    engine.execute("CREATE TABLE latest_devices AS SELECT k, LATEST_BY_OFFSET(v1) AS v1, "
                   "LATEST_BY_OFFSET(v2) AS v2, LATEST_BY_OFFSET(v3) AS v3 "
                   "FROM device_changes GROUP BY k EMIT CHANGES;")
    engine.drain()
    assert pull_rows(engine, "SELECT * FROM latest_devices;") == [
        ["d1", 2, "busy", False], ["d2", 4, "off", True], ["d3", 3, "idle", True]]
