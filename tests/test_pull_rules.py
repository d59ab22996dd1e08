"""Pull queries: which clauses and sources ksqlDB refuses, and the key-only WHERE rules that
apply once table scans are switched off."""

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlStatementError


def _engine(**props):
    e = Engine(properties=props)
    e.execute("CREATE STREAM orders (sku VARCHAR KEY, qty INT, shop VARCHAR) "
              "WITH (kafka_topic='orders', format='JSON', partitions=1);")
    e.execute("CREATE TABLE stock AS SELECT sku, SUM(qty) AS total FROM orders GROUP BY sku;")
    e.execute("CREATE TABLE stock_by_shop AS SELECT sku, shop, COUNT(*) AS n FROM orders "
              "GROUP BY sku, shop;")
    for sku, qty, shop in [("pen", 3, "north"), ("ink", 5, "south"), ("pad", 1, "north")]:
        e.produce("orders", '{"QTY": %d, "SHOP": "%s"}' % (qty, shop), key='"%s"' % sku)
    e.drain()
    return e


@pytest.fixture(scope="module")
def engine():
    return _engine()


@pytest.fixture(scope="module")
def keyed_only():
    return _engine(**{"ksql.query.pull.table.scan.enabled": "false"})


def _rows(engine, sql):
    return engine.execute(sql)[-1].rows


def _refused(engine, sql) -> str:
    with pytest.raises(KsqlStatementError) as err:
        engine.execute(sql)
    return str(err.value)


def test_group_by_is_named_before_planning_complains(engine):
    msg = _refused(engine, "SELECT sku, qty FROM orders GROUP BY sku;")
    assert "Pull queries don't support GROUP BY clauses." in msg
    assert "Add EMIT CHANGES if you intended to issue a push query." in msg


def test_window_clause_is_refused(engine):
    assert "don't support WINDOW clauses" in _refused(
        engine, "SELECT * FROM orders WINDOW TUMBLING (SIZE 1 MINUTE);")


def test_join_is_refused(engine):
    assert "don't support JOIN clauses" in _refused(
        engine, "SELECT * FROM stock s JOIN orders o ON s.sku = o.sku;")


def test_unknown_source_is_reported_before_clause_rules(engine):
    assert "NOPE" in _refused(engine, "SELECT * FROM nope GROUP BY x;")


def test_row_offset_in_select_is_refused(engine):
    assert "following columns in SELECT clauses: `ROWOFFSET`" in _refused(
        engine, "SELECT sku, ROWOFFSET FROM orders;")


def test_row_partition_in_where_is_refused(engine):
    assert "following columns in WHERE clauses: `ROWPARTITION`" in _refused(
        engine, "SELECT * FROM stock WHERE sku = 'pen' AND ROWPARTITION = 0;")


def test_limit_can_be_switched_off():
    e = _engine(**{"ksql.query.pull.limit.clause.enabled": "false"})
    assert "LIMIT clause in pull queries is currently disabled" in _refused(
        e, "SELECT * FROM orders LIMIT 1;")


def test_plain_create_table_is_not_queryable(engine):
    engine.execute("CREATE TABLE prices (sku VARCHAR PRIMARY KEY, price DOUBLE) "
                   "WITH (kafka_topic='prices', value_format='JSON', partitions=1);")
    msg = _refused(engine, "SELECT * FROM prices;")
    assert "The `PRICES` table isn't queryable." in msg
    assert "'CREATE TABLE QUERYABLE_PRICES AS SELECT * FROM PRICES'" in msg


def test_source_table_is_queryable(engine):
    engine.execute("CREATE SOURCE TABLE shops (name VARCHAR PRIMARY KEY, city VARCHAR) "
                   "WITH (kafka_topic='shops', value_format='JSON', partitions=1);")
    engine.produce("shops", '{"CITY": "Oslo"}', key="north")
    assert _rows(engine, "SELECT * FROM shops;") == [["north", "Oslo"]]


def test_comparison_with_null_literal_is_refused(engine):
    assert "Comparison with NULL not supported: STRING = NULL" in _refused(
        engine, "SELECT * FROM stock WHERE sku = NULL;")


def test_null_in_a_key_in_list_is_refused(engine):
    assert "Primary key columns can not be NULL: (SKU = null)" in _refused(
        engine, "SELECT * FROM stock WHERE sku IN (NULL);")


def test_key_literal_of_another_type_is_refused(engine):
    assert "'7' can not be converted to the type of the key column: SKU STRING KEY" in _refused(
        engine, "SELECT * FROM stock WHERE sku IN ('pen', 7);")


def test_scans_off_still_answers_a_key_lookup(keyed_only):
    assert _rows(keyed_only, "SELECT * FROM stock WHERE sku = 'ink';") == [["ink", 5]]


def test_scans_off_refuses_a_filter_without_the_key(keyed_only):
    assert "WHERE clause missing key column for disjunct: (TOTAL > 1)" in _refused(
        keyed_only, "SELECT * FROM stock WHERE total > 1;")


def test_scans_off_refuses_a_key_inequality(keyed_only):
    assert "Bound on key columns '[`SKU` STRING KEY]' must currently be '='" in _refused(
        keyed_only, "SELECT * FROM stock WHERE sku <> 'pen';")


def test_scans_off_refuses_a_key_compared_with_a_column(keyed_only):
    assert "must be between a key column and a resolvable expression" in _refused(
        keyed_only, "SELECT * FROM stock WHERE sku = CAST(total AS VARCHAR);")


def test_scans_off_refuses_an_expression_over_the_key(keyed_only):
    assert "A comparison must directly reference a key column" in _refused(
        keyed_only, "SELECT * FROM stock WHERE UCASE(sku) = 'PEN';")


def test_scans_off_refuses_the_key_bound_twice(keyed_only):
    assert "cannot be combined with other comparisons such as an IN predicate" in _refused(
        keyed_only, "SELECT * FROM stock WHERE sku = 'pen' AND sku IN ('pen', 'ink');")


def test_scans_off_needs_every_key_column(keyed_only):
    assert "Multi-column sources must specify every key in the WHERE clause" in _refused(
        keyed_only, "SELECT * FROM stock_by_shop WHERE sku = 'pen';")


def test_scans_off_refuses_no_where_at_all(keyed_only):
    assert "Query requires table scan to be enabled" in _refused(keyed_only, "SELECT * FROM stock;")


def test_scans_off_allows_a_range_over_a_string_key(keyed_only):
    assert _rows(keyed_only, "SELECT * FROM stock WHERE sku < 'ipz';") == [["ink", 5]]


def test_scans_and_ranges_off_refuse_a_key_range():
    e = _engine(**{"ksql.query.pull.table.scan.enabled": "false",
                   "ksql.query.pull.range.scan.enabled": "false"})
    assert "Query requires table scan to be enabled" in _refused(
        e, "SELECT * FROM stock WHERE sku < 'ipz';")


def test_set_switches_scans_off_for_later_queries():
    e = _engine()
    e.execute("SET 'ksql.query.pull.table.scan.enabled'='false';")
    assert "Query requires table scan to be enabled" in _refused(e, "SELECT * FROM stock;")
