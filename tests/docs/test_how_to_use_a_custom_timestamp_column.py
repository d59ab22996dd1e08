"""https://docs.ksqldb.io/en/latest/how-to-guides/use-a-custom-timestamp-column/

Without TIMESTAMP, ROWTIME is the record's time; a stream derived WITH (timestamp='ts',
timestamp_format=...) takes ROWTIME from the text column; a BIGINT column needs no format."""

from conftest import push_rows


def test_rowtime_is_the_record_time_until_a_timestamp_column_is_set(engine):
    engine.execute("CREATE STREAM readings (k VARCHAR KEY, ts VARCHAR, v1 INT) "
                   "WITH (kafka_topic='readings', partitions=1, value_format='json');")
    engine.produce("readings", '{"TS": "2021-09-10 08:30:00", "V1": 7}', key="r1", timestamp=42)
    rows = push_rows(engine, "SELECT k, ROWTIME, ts FROM readings EMIT CHANGES;", 1)
    assert rows == [["r1", 42, "2021-09-10 08:30:00"]]


def test_derived_stream_uses_event_time_from_the_text_column(engine):
    engine.execute("""
        CREATE STREAM readings (k VARCHAR KEY, ts VARCHAR, v1 INT, v2 VARCHAR)
          WITH (kafka_topic='readings', partitions=1, value_format='json');
        INSERT INTO readings (k, ts, v1, v2) VALUES ('r1', '2021-09-10 08:30:00', 0, 'a');
        INSERT INTO readings (k, ts, v1, v2) VALUES ('r2', '2021-09-10 09:45:00', 1, 'b');
        CREATE STREAM readings_by_ts WITH (timestamp='ts', timestamp_format='yyyy-MM-dd HH:mm:ss')
          AS SELECT * FROM readings EMIT CHANGES;""")
    rows = push_rows(engine, "SELECT k, ROWTIME, TIMESTAMPTOSTRING(ROWTIME, 'yyyy-MM-dd HH:mm:ss.SSS') "
                             "AS rowtime_formatted, ts, v1, v2 FROM readings_by_ts EMIT CHANGES;", 2)
    assert rows == [["r1", 1631262600000, "2021-09-10 08:30:00.000", "2021-09-10 08:30:00", 0, "a"],
                    ["r2", 1631267100000, "2021-09-10 09:45:00.000", "2021-09-10 09:45:00", 1, "b"]]


def test_bigint_timestamp_column_is_read_as_epoch_milliseconds(engine):
    engine.execute("""
        CREATE STREAM pings (k VARCHAR KEY, ts BIGINT, v1 INT)
          WITH (kafka_topic='pings', partitions=1, value_format='json', timestamp='ts');
        INSERT INTO pings (k, ts, v1) VALUES ('p1', 1600000000000, 0);
        INSERT INTO pings (k, ts, v1) VALUES ('p2', 1610000000000, 1);""")
    rows = push_rows(engine, "SELECT k, ROWTIME, ts, TIMESTAMPTOSTRING(ts, 'yyyy-MM-dd HH:mm:ss.SSS') "
                             "AS ts_formatted FROM pings EMIT CHANGES;", 2)
    assert rows == [["p1", 1600000000000, 1600000000000, "2020-09-13 12:26:40.000"],
                    ["p2", 1610000000000, 1610000000000, "2021-01-07 06:13:20.000"]]
