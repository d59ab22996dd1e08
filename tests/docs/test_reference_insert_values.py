"""https://docs.ksqldb.io/en/latest/developer-guide/ksqldb-reference/insert-values/

Named columns in any order (ROWTIME among them), every column in schema order (key first)
when none are named, unnamed columns become null (never a tombstone), ROWPARTITION and
ROWOFFSET refused, values serialized in the source's formats."""

import time

import pytest

from ksql_magic.errors import KsqlStatementError


@pytest.fixture
def notes(engine):
    engine.execute("CREATE STREAM notes (topic_id VARCHAR KEY, body VARCHAR) "
                   "WITH (kafka_topic='notes', partitions=1, value_format='json');")
    return engine


def test_rowtime_among_named_columns_in_any_order(notes):
    notes.execute("INSERT INTO notes (ROWTIME, topic_id, body) VALUES (1600000000000, 't1', 'x');"
                  "INSERT INTO notes (body, ROWTIME, topic_id) VALUES ('y', 1600000000001, 't2');")
    assert [(r.timestamp, r.key, r.value) for r in notes.records("notes")] == [
        (1600000000000, b"t1", b'{"BODY":"x"}'), (1600000000001, b"t2", b'{"BODY":"y"}')]


def test_unnamed_insert_takes_every_column_key_first_at_local_time(notes):
    before = int(time.time() * 1000)
    notes.execute("INSERT INTO notes VALUES ('t3', 'z');")
    rec = notes.records("notes")[0]
    assert (rec.key, rec.value) == (b"t3", b'{"BODY":"z"}')
    assert before <= rec.timestamp <= int(time.time() * 1000)


def test_a_column_left_out_is_null_not_a_tombstone(notes):
    notes.execute("INSERT INTO notes (topic_id) VALUES ('t4');")
    assert notes.records("notes")[0].value == b'{"BODY":null}'


@pytest.mark.parametrize("column", ["ROWPARTITION", "ROWOFFSET"])
def test_row_position_pseudo_columns_are_refused(notes, column):
    with pytest.raises(KsqlStatementError, match="Inserting into column `%s` is not allowed." % column):
        notes.execute("INSERT INTO notes (topic_id, %s) VALUES ('t5', 1);" % column)


def test_values_use_the_sources_formats(engine):
    engine.execute("CREATE STREAM lines (id INT KEY, a VARCHAR, b INT) WITH (kafka_topic='lines', "
                   "partitions=1, key_format='json', value_format='delimited');"
                   "INSERT INTO lines (id, a, b) VALUES (7, 'q', 3);")
    rec = engine.records("lines")[0]
    assert (rec.key, rec.value) == (b"7", b"q,3")
