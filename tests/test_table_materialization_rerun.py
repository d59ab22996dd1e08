"""Re-running a notebook cell: DROP TABLE t (topic kept) then CREATE TABLE t AS SELECT ...
again. ksqlDB's new query starts a new state store, so pull queries and to_dataframe see
only what the new query computed, never rows the old query left in the topic."""

import pytest

from ksql_magic import Engine

KEY = {1: b"\x00\x00\x00\x01", 2: b"\x00\x00\x00\x02"}


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM orders (shop INT KEY, qty INT) "
              "WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');"
              "CREATE TABLE per_shop AS SELECT shop, SUM(qty) AS total FROM orders GROUP BY shop;")
    engine_produce(e, [(1, 1), (2, 5)])
    yield e
    e.close()


def engine_produce(e, rows):
    for shop, qty in rows:
        e.produce("orders", '{"QTY": %d}' % qty, key=KEY[shop])
    e.drain()


def test_pull_query_after_recreate_sees_only_the_new_query(engine):
    engine.execute("DROP TABLE per_shop;"
                   "CREATE TABLE per_shop AS SELECT shop, SUM(qty) AS total FROM orders "
                   "WHERE qty > 2 GROUP BY shop;")
    engine.drain()
    assert engine.execute("SELECT * FROM per_shop;")[0].rows == [[2, 5]]


def test_to_dataframe_after_recreate_sees_only_the_new_query(engine):
    engine.execute("DROP TABLE per_shop;"
                   "CREATE TABLE per_shop AS SELECT shop, COUNT(*) AS total FROM orders "
                   "WHERE qty > 2 GROUP BY shop;")
    engine.drain()
    assert engine.to_dataframe("PER_SHOP").values.tolist() == [[2, 1]]


def test_old_rows_stay_in_the_topic(engine):
    engine.execute("DROP TABLE per_shop;"
                   "CREATE TABLE per_shop AS SELECT shop, SUM(qty) AS total FROM orders "
                   "WHERE qty > 2 GROUP BY shop;")
    engine.drain()
    assert len(engine.records("PER_SHOP")) == 3        # 2 from the old query, 1 new


def test_first_creation_reads_the_whole_table(engine):
    engine_produce(engine, [(1, 3)])
    assert engine.execute("SELECT * FROM per_shop;")[0].rows == [[1, 4], [2, 5]]
