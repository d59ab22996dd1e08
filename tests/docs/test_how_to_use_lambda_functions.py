"""https://docs.ksqldb.io/en/latest/how-to-guides/use-lambda-functions/

TRANSFORM over a map (key and value lambdas), REDUCE over an array, FILTER over a map and a
nested TRANSFORM. Where the page is inconsistent, ksqlDB's code decides: its REDUCE example
``REDUCE(ARRAY[2, 3, 4, 5], 2, (s, x) => ceil(x/s))`` divides INTEGERs, which is integer
division in ksqlDB (Java), so the state goes 2 -> 1 -> 3 -> 1 -> 5 and the result is 5,
not the 3 the page prints (3 would need real division)."""

from conftest import push_rows


def test_transform_map_keys_and_values(engine):
    engine.execute("""
        CREATE STREAM stock (id INT, levels MAP<STRING, INTEGER>)
          WITH (kafka_topic='stock', partitions=1, value_format='json');
        CREATE STREAM stock_up AS SELECT id, TRANSFORM(levels, (k, v) => UCASE(k), (k, v) => v + 5)
          AS levels FROM stock EMIT CHANGES;
        INSERT INTO stock (id, levels) VALUES (3, MAP('pens' := 15));
        INSERT INTO stock (id, levels) VALUES (4, MAP('ink' := -5));""")
    assert push_rows(engine, "SELECT * FROM stock_up EMIT CHANGES;", 2) == [
        [3, {"PENS": 20}], [4, {"INK": 0}]]


def test_reduce_follows_ksqldb_integer_division(engine):
    engine.execute("""
        CREATE STREAM steps (id INT, arr ARRAY<INTEGER>)
          WITH (kafka_topic='steps', partitions=1, value_format='json');
        CREATE STREAM reduced AS SELECT id, REDUCE(arr, 2, (s, x) => CEIL(x/s)) AS result
          FROM steps EMIT CHANGES;
        INSERT INTO steps (id, arr) VALUES (1, ARRAY[2, 3, 4, 5]);""")
    assert push_rows(engine, "SELECT * FROM reduced EMIT CHANGES;", 1) == [[1, 5]]


def test_reduce_with_real_division_gives_the_pages_number(engine):
    engine.execute("""
        CREATE STREAM steps (id INT, arr ARRAY<DOUBLE>)
          WITH (kafka_topic='steps', partitions=1, value_format='json');
        INSERT INTO steps (id, arr) VALUES (1, ARRAY[2.0, 3.0, 4.0, 5.0]);""")
    rows = push_rows(engine, "SELECT id, REDUCE(arr, 2E0, (s, x) => CEIL(x/s)) AS result "
                             "FROM steps EMIT CHANGES;", 1)
    assert rows == [[1, 3.0]]


def test_filter_map_entries(engine):
    engine.execute("""
        CREATE STREAM names (id INT, parts MAP<STRING, INTEGER>)
          WITH (kafka_topic='names', partitions=1, value_format='json');
        INSERT INTO names (id, parts) VALUES (1, MAP('first name' := 15, 'middle' := 25,
          'last name' := 0, 'alt name' := 33));""")
    rows = push_rows(engine, "SELECT id, FILTER(parts, (k, v) => INSTR(k, 'name') > 0 AND v != 0) "
                             "AS kept FROM names EMIT CHANGES;", 1)
    assert rows == [[1, {"first name": 15, "alt name": 33}]]


def test_nested_transform(engine):
    engine.execute("""
        CREATE STREAM grades (id INT, marks MAP<STRING, ARRAY<DECIMAL(3, 2)>>)
          WITH (kafka_topic='grades', partitions=1, value_format='json');
        INSERT INTO grades (id, marks) VALUES (1, MAP('Mary' := ARRAY[1.23, 3.65, 8.45],
          'Jose' := ARRAY[5.23, 1.65]));""")
    rows = push_rows(engine, "SELECT id, TRANSFORM(marks, (k, v) => CONCAT(k, '_new'), "
                             "(k, v) => TRANSFORM(v, x => ROUND(x))) AS rounded "
                             "FROM grades EMIT CHANGES;", 1)
    from decimal import Decimal
    assert rows == [[1, {"Mary_new": [Decimal(1), Decimal(4), Decimal(8)],
                         "Jose_new": [Decimal(5), Decimal(2)]}]]
