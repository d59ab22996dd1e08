"""https://docs.ksqldb.io/en/latest/how-to-guides/update-a-running-persistent-query/

CREATE OR REPLACE upgrades a query in place: same query id, it continues from the last
record the old version processed (nothing is re-read, even with 'earliest'), and a stream
aggregation keeps its state when only the filter changes. Upgrades ksqlDB cannot do are
refused with its messages; a replacing upgrade (TERMINATE, DROP, CREATE) re-reads."""

import pytest

from ksql_magic.errors import KsqlStatementError
from conftest import pull_rows

PURCHASES = ("CREATE STREAM purchases (product_id INT KEY, name VARCHAR, cost DOUBLE, quantity INT) "
             "WITH (kafka_topic='purchases', partitions=1, value_format='json');")


def _buy(engine, pid, name, cost, qty):
    engine.execute("INSERT INTO purchases (product_id, name, cost, quantity) VALUES (%d, '%s', %s, %d);"
                   % (pid, name, cost, qty))
    engine.drain()


def _names(engine, topic):
    import json
    return [json.loads(r.value)["NAME"] for r in engine.records(topic)]


@pytest.fixture
def shop(engine):
    engine.execute(PURCHASES + "CREATE STREAM valid_purchases AS SELECT * FROM purchases "
                               "WHERE cost > 0.00 AND quantity > 0;")
    _buy(engine, 1, "lamp", 20.0, 1)
    _buy(engine, 2, "lamp-refund", -20.0, 1)
    return engine


def test_data_selection_upgrade_keeps_the_query_and_its_position(shop):
    before = shop.execute("SHOW QUERIES;")[0].rows[0][0]
    result = shop.execute("CREATE OR REPLACE STREAM valid_purchases AS SELECT * FROM purchases "
                          "WHERE quantity > 0;")[0]
    _buy(shop, 3, "desk-refund", -90.0, 1)
    assert result.query_id == before
    assert [r[0] for r in shop.execute("SHOW QUERIES;")[0].rows] == [before]
    # the refund processed before the upgrade is not re-read; the new one passes the new filter
    assert _names(shop, "VALID_PURCHASES") == ["lamp", "desk-refund"]


def test_schema_evolution_adds_a_column_at_the_end(shop):
    shop.execute("CREATE OR REPLACE STREAM purchases (product_id INT KEY, name VARCHAR, cost DOUBLE, "
                 "quantity INT, popularity DOUBLE) WITH (kafka_topic='purchases', partitions=1, "
                 "value_format='json');"
                 "CREATE OR REPLACE STREAM valid_purchases AS SELECT * FROM purchases WHERE quantity > 0;")
    shop.execute("INSERT INTO purchases (product_id, name, cost, quantity, popularity) "
                 "VALUES (4, 'chair', 35.0, 2, 0.9);")
    shop.drain()
    cols = [c.name for c in shop.catalog.sources["VALID_PURCHASES"].columns]
    assert cols == ["PRODUCT_ID", "NAME", "COST", "QUANTITY", "POPULARITY"]
    assert _names(shop, "VALID_PURCHASES") == ["lamp", "chair"]


def test_stateful_data_selection_keeps_counts(engine):
    engine.execute(PURCHASES + "CREATE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS num_sales, "
                               "AVG(cost * quantity) AS average_sale FROM purchases GROUP BY product_id;")
    _buy(engine, 1, "lamp", 20.0, 1)
    _buy(engine, 1, "lamp-refund", -20.0, 1)
    engine.execute("CREATE OR REPLACE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS num_sales, "
                   "AVG(cost * quantity) AS average_sale FROM purchases WHERE cost > 0 GROUP BY product_id;")
    _buy(engine, 1, "lamp-refund", -20.0, 1)         # no longer counted
    _buy(engine, 1, "lamp", 40.0, 1)
    assert pull_rows(engine, "SELECT product_id, num_sales, average_sale FROM purchase_stats;") == [
        [1, 3, 40.0 / 3]]


def test_replacing_upgrade_reads_from_the_beginning(engine):
    engine.execute(PURCHASES + "CREATE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS num_sales "
                               "FROM purchases GROUP BY product_id;")
    _buy(engine, 1, "lamp", 20.0, 1)
    _buy(engine, 1, "lamp-refund", -20.0, 1)
    qid = engine.execute("SHOW QUERIES;")[0].rows[0][0]
    engine.execute("TERMINATE %s; DROP TABLE purchase_stats;" % qid)
    engine.execute("CREATE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS num_sales "
                   "FROM purchases WHERE cost > 0 GROUP BY product_id;")
    engine.drain()
    assert pull_rows(engine, "SELECT * FROM purchase_stats;") == [[1, 1]]


def test_filter_on_a_column_the_aggregation_does_not_read_is_refused(engine):
    engine.execute(PURCHASES + "CREATE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS n "
                               "FROM purchases GROUP BY product_id;")
    with pytest.raises(KsqlStatementError, match=r"StreamAggregate must have matching columns not part "
                                                 r"of aggregate. Values differ: \[`PRODUCT_ID`, `ROWTIME`\] "
                                                 r"vs. \[`PRODUCT_ID`, `ROWTIME`, `COST`\]"):
        engine.execute("CREATE OR REPLACE TABLE purchase_stats AS SELECT product_id, COUNT(*) AS n "
                       "FROM purchases WHERE cost > 0 GROUP BY product_id;")


def test_windowed_aggregation_upgrade_is_refused(engine):
    engine.execute(PURCHASES + "CREATE TABLE per_minute AS SELECT product_id, COUNT(*) AS n FROM purchases "
                               "WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY product_id;")
    with pytest.raises(KsqlStatementError, match="Upgrades not yet supported for StreamWindowedAggregate"):
        engine.execute("CREATE OR REPLACE TABLE per_minute AS SELECT product_id, COUNT(*) AS n FROM purchases "
                       "WINDOW TUMBLING (SIZE 1 MINUTE) WHERE quantity > 0 GROUP BY product_id;")


def test_join_upgrade_is_refused(engine):
    engine.execute(PURCHASES + "CREATE TABLE products (id INT PRIMARY KEY, title VARCHAR) WITH "
                               "(kafka_topic='products', partitions=1, value_format='json');"
                               "CREATE STREAM enriched AS SELECT p.product_id, p.cost, t.title FROM purchases p "
                               "JOIN products t ON p.product_id = t.id;")
    with pytest.raises(KsqlStatementError, match="Upgrades not yet supported for StreamTableJoin"):
        engine.execute("CREATE OR REPLACE STREAM enriched AS SELECT p.product_id, p.cost, t.title "
                       "FROM purchases p JOIN products t ON p.product_id = t.id WHERE p.cost > 0;")
