"""Expression-level checks whose wording follows ksqlDB, and the partial date-time text that
ROWTIME and window bounds are compared with."""

import pytest

from ksql_magic import Engine, KsqlError
from ksql_magic.temporal import parse_partial_timestamp, parse_timestamp


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM trips (rider VARCHAR KEY, km INT, city VARCHAR) "
              "WITH (KAFKA_TOPIC='trips', VALUE_FORMAT='JSON', PARTITIONS=1);")
    yield e
    e.close()


def _message(engine, sql: str) -> str:
    with pytest.raises(KsqlError) as err:
        engine.execute(sql)
    return str(err.value)


def test_like_with_a_numeric_pattern_names_the_pattern_type(engine):
    msg = _message(engine, "SELECT * FROM trips WHERE city LIKE 7 EMIT CHANGES;")
    assert "The column type for Like condition must be VARCHAR. The column type is INTEGER" in msg


def test_between_bound_of_another_type_is_reported_as_the_lower_comparison(engine):
    msg = _message(engine, "SELECT * FROM trips WHERE city BETWEEN 1 AND 'z' EMIT CHANGES;")
    assert "Invalid expression: Cannot compare CITY (STRING) to 1 (INTEGER) with GREATER_THAN_OR_EQUAL" in msg


def test_between_upper_bound_is_the_less_or_equal_comparison(engine):
    msg = _message(engine, "SELECT * FROM trips WHERE km BETWEEN 1 AND 'far' EMIT CHANGES;")
    assert "Cannot compare KM (INTEGER) to 'far' (STRING) with LESS_THAN_OR_EQUAL" in msg


def test_repeated_output_column_names_its_type(engine):
    msg = _message(engine, "SELECT city, city FROM trips EMIT CHANGES;")
    assert "Duplicate value columns found in schema: `CITY` STRING" in msg


def test_unknown_qualifier_is_a_prepare_failure(engine):
    msg = _message(engine, "SELECT bus.km FROM trips EMIT CHANGES;")
    assert "Failed to prepare statement: 'BUS' is not a valid stream/table name or alias." in msg


@pytest.mark.parametrize("partial, full", [
    ("1999", "1999-01-01T00:00:00"),
    ("1999-07", "1999-07-01T00:00:00"),
    ("1999-07-04T", "1999-07-04T00:00:00"),
    ("1999-07-04T08", "1999-07-04T08:00:00"),
    ("1999-07-04T08:15Z", "1999-07-04T08:15:00"),
    ("1999-07-04T08:15:30.2", "1999-07-04T08:15:30.200"),
])
def test_partial_date_time_fills_the_missing_fields_with_their_start(partial, full):
    assert parse_partial_timestamp(partial) == parse_timestamp(full)


def test_hour_24_is_the_next_midnight():
    assert parse_partial_timestamp("1999-12-31T24") == parse_timestamp("2000-01-01T00:00:00")


def test_partial_date_time_honours_a_numeric_offset():
    assert parse_partial_timestamp("1999-07-04T08:00:00.000+0200") == parse_timestamp("1999-07-04T06:00:00")


@pytest.mark.parametrize("bad", ["1999-7-4", "1999-07-04T24:30", "1999-07-04T08:00+xx"])
def test_malformed_partial_date_time_is_refused(bad):
    with pytest.raises(ValueError):
        parse_partial_timestamp(bad)


def test_rowtime_compares_with_an_hour_24_bound(engine):
    day = 86_400_000
    for rider, ts in (("ann", day - 1), ("bob", day), ("cy", 2 * day)):
        engine.produce("trips", '{"KM": 3, "CITY": "Oslo"}', key=rider, timestamp=ts)
    rows = engine.execute("SELECT rider FROM trips WHERE ROWTIME < '1970-01-01T24';")[0].rows
    assert rows == [["ann"]]
