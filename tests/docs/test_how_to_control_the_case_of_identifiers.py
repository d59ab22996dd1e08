"""https://docs.ksqldb.io/en/latest/how-to-guides/control-the-case-of-identifiers/

Backticked names keep their case (stream, columns, struct fields); unquoted ones are upper-
cased and can be written in any case."""

from conftest import columns_of, push_rows

DDL = """
CREATE STREAM `shipments` (`sku` VARCHAR KEY, `QTY` INT, `Bin` VARCHAR,
  `dest` STRUCT<`City` VARCHAR, `zip` INT>, weight INT)
  WITH (kafka_topic='shipments', partitions=1, value_format='json');
INSERT INTO `shipments` (`sku`, `QTY`, `Bin`, `dest`, weight)
  VALUES ('s1', 1, 'x', STRUCT(`City` := 'Oslo', `zip` := 150), 2);
INSERT INTO `shipments` (`sku`, `QTY`, `Bin`, `dest`, weight)
  VALUES ('s2', 3, 'y', STRUCT(`City` := 'Rome', `zip` := 118), 4);
"""

QUERY = ("SELECT `sku`, `QTY`, `Bin`, `dest`->`City`, `dest`->`zip`, weight, WEIGHT AS weight2 "
         "FROM `shipments` EMIT CHANGES;")


def test_headers_keep_the_backticked_case(engine):
    engine.execute(DDL)
    assert columns_of(engine, QUERY) == ["sku", "QTY", "Bin", "City", "zip", "WEIGHT", "WEIGHT2"]


def test_rows_read_through_backticked_and_unquoted_names(engine):
    engine.execute(DDL)
    assert push_rows(engine, QUERY, 2) == [["s1", 1, "x", "Oslo", 150, 2, 2],
                                           ["s2", 3, "y", "Rome", 118, 4, 4]]


def test_the_source_name_keeps_its_case(engine):
    engine.execute(DDL)
    assert "shipments" in [r[0] for r in engine.execute("SHOW STREAMS;")[0].rows]
