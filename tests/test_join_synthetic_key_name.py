"""A join's synthetic key column is named as ksqlDB's ColumnNames.generateSyntheticJoinKey
names it: ROWKEY, or ROWKEY_<n+1> past the highest ROWKEY_<n> among the sources' columns."""

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlStatementError
from ksql_magic.planner_join import synthetic_key_name


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM A (ROWKEY INT KEY, V0 STRING) WITH (kafka_topic='a', partitions=1, value_format='json');"
              "CREATE STREAM B (ID INT KEY, ROWKEY_1 INT) WITH (kafka_topic='b', partitions=1, value_format='json');")
    yield e
    e.close()


def test_clash_with_rowkey_and_rowkey_1_gives_rowkey_2(engine):
    engine.execute("CREATE STREAM J AS SELECT * FROM A JOIN B WITHIN 1 HOUR ON ABS(A.ROWKEY) = ABS(B.ID);")
    assert engine.catalog.sources["J"].key_columns[0].name == "ROWKEY_2"


def test_missing_key_message_names_the_generated_column(engine):
    with pytest.raises(KsqlStatementError, match="join expression ROWKEY_2 in its projection"):
        engine.execute("CREATE STREAM J AS SELECT A.V0 FROM A JOIN B WITHIN 1 HOUR ON ABS(A.ROWKEY) = ABS(B.ID);")


def test_the_generated_name_can_be_selected_and_aliased(engine):
    engine.execute("CREATE STREAM J AS SELECT ROWKEY_2 AS K, A.V0 FROM A JOIN B WITHIN 1 HOUR "
                   "ON ABS(A.ROWKEY) = ABS(B.ID);")
    assert [c.name for c in engine.catalog.sources["J"].key_columns] == ["K"]


@pytest.mark.parametrize("names, expected", [
    ([], "ROWKEY"), (["ID", "V"], "ROWKEY"), (["ROWKEY"], "ROWKEY_1"),
    (["ROWKEY", "ROWKEY_1", "ROWKEY_2", "ROWKEY_3"], "ROWKEY_4"), (["ROWKEY_3"], "ROWKEY_4")])
def test_synthetic_key_name_rule(names, expected):
    assert synthetic_key_name(names) == expected
