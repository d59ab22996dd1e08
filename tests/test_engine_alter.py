"""ALTER STREAM/TABLE ... ADD COLUMN: later statements see the new columns; queries already
running keep the schema they were planned with; CREATE ... AS targets refuse it."""

import pytest

from ksql_magic import Engine, KsqlStatementError

ONE = b"\x00\x00\x00\x01"


@pytest.fixture
def engine():
    e = Engine({"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM orders (id INT KEY, item VARCHAR) "
              "WITH (kafka_topic='orders', value_format='JSON', partitions=1);")
    yield e
    e.close()


def test_added_columns_are_read_by_queries_created_afterwards(engine):
    engine.execute("CREATE STREAM before_alter AS SELECT * FROM orders;")
    result = engine.execute("ALTER STREAM orders ADD COLUMN qty INT, ADD COLUMN price DOUBLE;")[0]
    engine.execute("CREATE STREAM after_alter AS SELECT * FROM orders;")
    engine.produce("orders", '{"ITEM": "tea", "QTY": 2, "PRICE": 3.5}', key=ONE)
    engine.drain()
    assert result.message == "Stream ORDERS altered."
    assert [r.value for r in engine.records("BEFORE_ALTER")] == [b'{"ITEM":"tea"}']
    assert [r.value for r in engine.records("AFTER_ALTER")] == [
        b'{"ITEM":"tea","QTY":2,"PRICE":3.5}']


def test_describe_lists_the_added_column(engine):
    engine.execute("ALTER STREAM orders ADD COLUMN note VARCHAR;")
    names = [row[0] for row in engine.execute("DESCRIBE orders;")[0].rows]
    assert names[-1] == "NOTE"


@pytest.mark.parametrize("sql, message", [
    ("ALTER TABLE orders ADD COLUMN x INT;",
     "Incompatible data source type is STREAM, but statement was ALTER TABLE"),
    ("ALTER STREAM orders ADD COLUMN item INT;",
     "Cannot add column `ITEM` to schema. A column with the same name already exists."),
    ("ALTER STREAM missing ADD COLUMN x INT;", "Source MISSING does not exist."),
])
def test_a_bad_alter_says_why_and_changes_nothing(engine, sql, message):
    before = engine.catalog.sources["ORDERS"]
    with pytest.raises(KsqlStatementError, match=message.replace("(", r"\(")):
        engine.execute(sql)
    assert engine.catalog.sources["ORDERS"] == before


def test_a_create_as_target_cannot_be_altered_even_after_terminate(engine):
    engine.execute("CREATE STREAM copy AS SELECT * FROM orders;")
    engine.execute("TERMINATE ALL;")
    with pytest.raises(KsqlStatementError, match="ALTER command is not supported for CREATE"):
        engine.execute("ALTER STREAM copy ADD COLUMN x INT;")


def test_a_source_table_is_read_only_so_cannot_be_altered(engine):
    engine.execute("CREATE SOURCE TABLE prices (item VARCHAR PRIMARY KEY, price DOUBLE) "
                   "WITH (kafka_topic='prices', value_format='JSON', partitions=1);")
    with pytest.raises(KsqlStatementError, match="ALTER operations are not supported on source tables"):
        engine.execute("ALTER TABLE prices ADD COLUMN currency VARCHAR;")
