"""Pull queries over a windowed table: WINDOWSTART / WINDOWEND in WHERE and in SELECT."""

import pytest

from ksql_magic import Engine

MIN5 = 300_000


@pytest.fixture(scope="module")
def engine():
    e = Engine()
    e.execute("CREATE STREAM attempts (card_number VARCHAR KEY, amount DOUBLE) "
              "WITH (kafka_topic='attempts', value_format='JSON', partitions=1);")
    e.execute("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) AS attempts FROM attempts "
              "WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY card_number HAVING COUNT(*) > 1;")
    for key, ts in [("x", 0), ("x", 1_000), ("x", 2_000), ("x", MIN5 + 1), ("x", MIN5 + 2),
                    ("y", 10), ("y", 20)]:
        e.produce("attempts", b'{"amount":1.0}', key=key.encode(), timestamp=ts)
    e.drain()
    return e


def _rows(engine, sql):
    r = engine.execute(sql)
    r = r[-1] if isinstance(r, list) else r
    return r.columns, r.rows


def test_windowstart_bound_selects_later_windows(engine):
    cols, rows = _rows(engine, "SELECT card_number, attempts FROM possible_fraud "
                               "WHERE card_number = 'x' AND WINDOWSTART >= %d;" % MIN5)
    assert rows == [["x", 2]]


def test_window_bounds_in_select(engine):
    cols, rows = _rows(engine, "SELECT WINDOWSTART, WINDOWEND, attempts FROM possible_fraud "
                               "WHERE card_number = 'x';")
    assert cols == ["WINDOWSTART", "WINDOWEND", "ATTEMPTS"]
    assert sorted(rows) == [[0, MIN5, 3], [MIN5, 2 * MIN5, 2]]


def test_windowend_range_and_key(engine):
    _, rows = _rows(engine, "SELECT card_number, attempts FROM possible_fraud "
                            "WHERE card_number = 'y' AND WINDOWEND <= %d AND WINDOWSTART >= 0;" % MIN5)
    assert rows == [["y", 2]]


def test_windowstart_compares_with_a_timestamp_string(engine):
    _, rows = _rows(engine, "SELECT attempts FROM possible_fraud WHERE card_number = 'x' "
                            "AND WINDOWSTART >= '1970-01-01T00:05:00';")
    assert rows == [[2]]
