"""https://docs.ksqldb.io/en/latest/developer-guide/joins/partition-data/

A keyless stream joined to a table on a value column is repartitioned by the join column; a
CAST makes key types match; a table can only be joined on its primary key; different
partition counts are refused; PARTITION BY moves columns into the key (AS_VALUE keeps a copy)."""

import json

import pytest

from ksql_magic.errors import KsqlStatementError
from conftest import push_rows

BIGINT = {7: b"\x00\x00\x00\x00\x00\x00\x00\x07", 9: b"\x00\x00\x00\x00\x00\x00\x00\x09"}


def _users(engine, partitions=1):
    engine.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, fullName STRING) WITH "
                   "(kafka_topic='users', value_format='json', partitions=%d);" % partitions)
    engine.produce("users", json.dumps({"FULLNAME": "Ada Lovelace"}), key=BIGINT[7])
    engine.produce("users", json.dumps({"FULLNAME": "Alan Turing"}), key=BIGINT[9])


def test_keyless_stream_is_repartitioned_by_the_join_column(engine):
    _users(engine)
    engine.execute("CREATE STREAM clicks (userId BIGINT, url STRING) WITH "
                   "(kafka_topic='clickstream', value_format='json', partitions=1);")
    engine.drain()
    engine.produce("clickstream", json.dumps({"USERID": 9, "URL": "/enigma"}))
    engine.produce("clickstream", json.dumps({"USERID": 7, "URL": "/engine"}))
    rows = push_rows(engine, "SELECT c.userId, c.url, u.fullName FROM clicks c "
                             "JOIN users u ON c.userId = u.id EMIT CHANGES;", 2)
    assert rows == [[9, "/enigma", "Alan Turing"], [7, "/engine", "Ada Lovelace"]]


def test_cast_makes_the_key_types_match(engine):
    _users(engine)
    engine.execute("CREATE STREAM clicks (userId INT KEY, url STRING) WITH "
                   "(kafka_topic='clickstream', value_format='json', partitions=1);")
    engine.drain()
    engine.produce("clickstream", json.dumps({"URL": "/notes"}), key=b"\x00\x00\x00\x07")
    rows = push_rows(engine, "SELECT clicks.url, users.fullName FROM clicks JOIN users "
                             "ON CAST(clicks.userId AS BIGINT) = users.id EMIT CHANGES;", 1)
    assert rows == [["/notes", "Ada Lovelace"]]


def test_a_table_is_joined_only_on_its_primary_key(engine):
    _users(engine)
    engine.execute("CREATE STREAM clicks (userId BIGINT, url STRING) WITH "
                   "(kafka_topic='clickstream', value_format='json', partitions=1);")
    with pytest.raises(KsqlStatementError, match="Cannot repartition a TABLE source"):
        engine.execute("CREATE STREAM bad AS SELECT c.url FROM clicks c "
                       "JOIN users u ON c.url = u.fullName;")


def test_different_partition_counts_are_refused(engine):
    _users(engine, partitions=2)
    engine.execute("CREATE STREAM clicks (userId BIGINT KEY, url STRING) WITH "
                   "(kafka_topic='clickstream', value_format='json', partitions=3);")
    with pytest.raises(KsqlStatementError, match="partition"):
        engine.execute("CREATE STREAM j AS SELECT c.userId, c.url, u.fullName FROM clicks c "
                       "JOIN users u ON c.userId = u.id;")


def test_partition_by_moves_the_column_into_the_key(engine):
    engine.execute("CREATE STREAM products (sku VARCHAR, product_id INT, price DOUBLE) WITH "
                   "(kafka_topic='products', value_format='json', partitions=1);"
                   "CREATE STREAM products_rekeyed WITH (PARTITIONS=6) AS SELECT * FROM products "
                   "PARTITION BY product_id;"
                   "CREATE STREAM products_kept AS SELECT product_id, AS_VALUE(product_id) AS pid, sku "
                   "FROM products PARTITION BY product_id;")
    src = engine.catalog.sources["PRODUCTS_REKEYED"]
    assert [c.name for c in src.key_columns] == ["PRODUCT_ID"]
    assert [c.name for c in src.value_columns] == ["SKU", "PRICE"]
    assert engine.broker.topic("PRODUCTS_REKEYED").partitions == 6
    assert [c.name for c in engine.catalog.sources["PRODUCTS_KEPT"].value_columns] == ["PID", "SKU"]
