"""https://docs.ksqldb.io/en/latest/developer-guide/joins/synthetic-keys/

FULL OUTER joins and joins on expressions get a synthetic key column: ROWKEY, or ROWKEY_n
when sources already use that name; it must be in a persistent query's projection (it may
be aliased), and its value is the first non-null join key.

The page's own example joins a stream to a *table* on ABS(T1.ID); ksqlDB refuses that (a
table is joined only on its primary key), so it is replayed as a stream-stream join."""

import json

import pytest

from ksql_magic.errors import KsqlStatementError

INT = {7: b"\x00\x00\x00\x07", 8: b"\x00\x00\x00\x08", 10: b"\x00\x00\x00\x0a"}


def _tables(engine):
    engine.execute("CREATE TABLE L (ID INT PRIMARY KEY, A VARCHAR) WITH (kafka_topic='l', partitions=1, value_format='json');"
                   "CREATE TABLE R (ID INT PRIMARY KEY, B VARCHAR) WITH (kafka_topic='r', partitions=1, value_format='json');")


def test_full_outer_join_key_is_the_first_non_null_key(engine):
    _tables(engine)
    engine.execute("CREATE TABLE OUTPUT AS SELECT * FROM L FULL OUTER JOIN R ON L.ID = R.ID;")
    engine.produce("l", json.dumps({"A": "ten"}), key=INT[10])
    engine.produce("r", json.dumps({"B": "seven"}), key=INT[7])
    engine.produce("l", json.dumps({"A": "eight"}), key=INT[8])
    engine.produce("r", json.dumps({"B": "eight"}), key=INT[8])
    engine.drain()
    rows = sorted(engine.execute("SELECT ROWKEY, L_ID, R_ID FROM OUTPUT;")[0].rows)
    assert rows == [[7, None, 7], [8, 8, 8], [10, 10, None]]


def test_synthetic_key_is_named_past_existing_rowkey_columns(engine):
    engine.execute("CREATE STREAM S1 (ROWKEY INT KEY, V0 STRING) WITH (kafka_topic='s1', partitions=1, value_format='json');"
                   "CREATE STREAM S2 (ID INT KEY, ROWKEY_1 INT) WITH (kafka_topic='s2', partitions=1, value_format='json');"
                   "CREATE STREAM OUTPUT AS SELECT * FROM S1 JOIN S2 WITHIN 1 HOUR ON ABS(S1.ROWKEY) = ABS(S2.ID);")
    assert [c.name for c in engine.catalog.sources["OUTPUT"].key_columns] == ["ROWKEY_2"]


def test_missing_synthetic_key_is_refused_with_its_name(engine):
    _tables(engine)
    with pytest.raises(KsqlStatementError, match="must include the join expression ROWKEY in its projection"):
        engine.execute("CREATE TABLE OUTPUT AS SELECT L.A, R.B FROM L FULL OUTER JOIN R ON L.ID = R.ID;")


def test_synthetic_key_may_be_aliased(engine):
    _tables(engine)
    engine.execute("CREATE TABLE OUTPUT AS SELECT ROWKEY AS ID, L.A, R.B FROM L FULL OUTER JOIN R ON L.ID = R.ID;")
    assert [c.name for c in engine.catalog.sources["OUTPUT"].key_columns] == ["ID"]


def test_stream_table_join_on_an_expression_of_the_table_key_is_refused(engine):
    engine.execute("CREATE STREAM S1 (ROWKEY INT KEY, V0 STRING) WITH (kafka_topic='s1', partitions=1, value_format='json');"
                   "CREATE TABLE T1 (ID INT PRIMARY KEY, ROWKEY_1 INT) WITH (kafka_topic='t1', partitions=1, value_format='json');")
    with pytest.raises(KsqlStatementError, match="Cannot repartition a TABLE source"):
        engine.execute("CREATE STREAM OUTPUT AS SELECT * FROM S1 JOIN T1 ON ABS(S1.ROWKEY) = ABS(T1.ID);")
