"""Pull queries: the order rows come back in decides which rows LIMIT keeps."""

from ksql_magic import Engine


def _engine():
    e = Engine()
    e.execute("CREATE SOURCE TABLE cities (name VARCHAR PRIMARY KEY, pop INT) "
              "WITH (kafka_topic='cities', value_format='JSON', partitions=1);")
    for name, pop in [("rome", 3), ("bern", 1), ("oslo", 2), ("kiev", 4)]:
        e.produce("cities", '{"POP": %d}' % pop, key=name)
    e.execute("CREATE STREAM visits (city VARCHAR KEY, n INT) "
              "WITH (kafka_topic='visits', value_format='JSON', partitions=1);")
    for city, n in [("rome", 1), ("bern", 2), ("oslo", 3)]:
        e.produce("visits", '{"N": %d}' % n, key=city)
    e.drain()
    return e


def _rows(engine, sql):
    return engine.execute(sql)[-1].rows


def test_table_scan_walks_keys_in_byte_order():
    assert [r[0] for r in _rows(_engine(), "SELECT * FROM cities;")] == ["bern", "kiev", "oslo", "rome"]


def test_limit_keeps_the_first_keys_of_the_scan():
    assert _rows(_engine(), "SELECT * FROM cities LIMIT 2;") == [["bern", 1], ["kiev", 4]]


def test_limit_zero_returns_no_rows():
    e = _engine()
    assert _rows(e, "SELECT * FROM cities LIMIT 0;") == []
    assert _rows(e, "SELECT * FROM visits LIMIT 0;") == []


def test_limit_counts_rows_that_pass_where():
    assert _rows(_engine(), "SELECT name FROM cities WHERE pop > 1 LIMIT 2;") == [["kiev"], ["oslo"]]


def test_in_lookup_follows_the_order_of_the_list():
    rows = _rows(_engine(), "SELECT name FROM cities WHERE name IN ('rome', 'bern', 'rome');")
    assert rows == [["rome"], ["bern"]]


def test_stream_rows_come_in_offset_order():
    assert _rows(_engine(), "SELECT city FROM visits LIMIT 2;") == [["rome"], ["bern"]]
