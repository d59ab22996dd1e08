"""TIMESTAMP, DATE and TIME values in query results read as ksqlDB shows them (ISO text),
not as the epoch numbers the engine carries; the DataFrame side gets Python objects."""

import datetime as dt

import pytest

from ksql_magic import Engine
from ksql_magic.types import TIME, TIMESTAMP, DATE, array, python_value, shown_value, struct


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM visits (id INT KEY, at TIMESTAMP, vday DATE, opens TIME, "
              "history ARRAY<DATE>) WITH (KAFKA_TOPIC='visits', PARTITIONS=1, VALUE_FORMAT='JSON');"
              "INSERT INTO visits (id, at, vday, opens, history) VALUES "
              "(7, '2022-11-30T23:59:58.120', '2022-11-30', '08:30:00', ARRAY['2022-11-29']);")
    yield e
    e.close()


def test_pull_query_rows_show_iso_text(engine):
    rows = engine.execute("SELECT at, vday, opens, history FROM visits;")[0].rows
    assert rows == [["2022-11-30T23:59:58.120", "2022-11-30", "08:30:00", ["2022-11-29"]]]


def test_push_query_rows_show_iso_text(engine):
    handle = engine.execute("SELECT id, at, opens FROM visits EMIT CHANGES;")[0].handle
    handle.wait(rows=1, timeout=5)
    assert handle.rows == [{"ID": 7, "AT": "2022-11-30T23:59:58.120", "OPENS": "08:30:00"}]


def test_html_table_shows_iso_text(engine):
    html = engine.execute("SELECT at FROM visits;")[0]._repr_html_()
    assert "<td>2022-11-30T23:59:58.120</td>" in html


def test_results_carry_their_column_types(engine):
    r = engine.execute("SELECT id, at FROM visits;")[0]
    assert {c: str(t) for c, t in r.column_types.items()} == {"ID": "INTEGER", "AT": "TIMESTAMP"}


def test_a_pull_query_frame_reads_the_shown_iso_text_back_as_datetimes(engine):
    df = engine.execute("SELECT id, at FROM visits;")[0].to_pandas()
    assert str(df["AT"].dtype) == "datetime64[ms]"


def test_computed_temporal_columns_show_as_text_too(engine):
    rows = engine.execute("SELECT DATEADD(DAYS, 1, vday) AS next_day, "
                          "UNIX_TIMESTAMP(at) AS epoch FROM visits;")[0].rows
    assert rows == [["2022-12-01", 1669852798120]]      # a BIGINT stays a number


def test_shown_value_reaches_into_structs_and_maps():
    t = struct([("WHEN", TIMESTAMP), ("N", TIMESTAMP.__class__("INTEGER"))])
    assert shown_value({"WHEN": 0, "N": 0}, t) == {"WHEN": "1970-01-01T00:00:00.000", "N": 0}
    assert shown_value([5], array(TIME)) == ["00:00:00.005"]


def test_time_with_milliseconds_prints_them():
    assert shown_value(18_367_089, TIME) == "05:06:07.089"
    assert shown_value(18_367_000, TIME) == "05:06:07"


def test_python_value_gives_datetime_date_and_time():
    assert python_value(1_614_834_367_089, TIMESTAMP) == dt.datetime(2021, 3, 4, 5, 6, 7, 89_000)
    assert python_value(18_690, DATE) == dt.date(2021, 3, 4)
    assert python_value(18_367_000, TIME) == dt.time(5, 6, 7)
