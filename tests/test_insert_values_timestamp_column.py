"""INSERT INTO ... VALUES into a stream whose TIMESTAMP column is text read through
TIMESTAMP_FORMAT (ksqlDB's event-driven microservice tutorial): the record time is the
column's time, parsed as queries parse it; text that does not parse is a statement error."""

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlStatementError

DDL = ("CREATE STREAM payments (tx_id VARCHAR KEY, card VARCHAR, paid_at VARCHAR, amount DOUBLE) "
       "WITH (KAFKA_TOPIC='payments', PARTITIONS=1, VALUE_FORMAT='JSON', "
       "TIMESTAMP='paid_at', TIMESTAMP_FORMAT='yyyy-MM-dd''T''HH:mm:ss');")


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute(DDL)
    yield e
    e.close()


def test_text_timestamp_column_sets_the_record_time(engine):
    engine.execute("INSERT INTO payments (tx_id, card, paid_at, amount) "
                   "VALUES ('t1', '4000-1', '2023-07-01T09:15:30', 12.5);")
    assert [r.timestamp for r in engine.records("payments")] == [1688202930000]


def test_queries_see_the_inserted_rows_at_that_time(engine):
    engine.execute("INSERT INTO payments (tx_id, card, paid_at, amount) VALUES ('t1', 'c', '2023-07-01T09:15:30', 1.0);"
                   "INSERT INTO payments (tx_id, card, paid_at, amount) VALUES ('t2', 'c', '2023-07-01T09:16:00', 2.0);")
    rows = engine.execute("SELECT tx_id, ROWTIME FROM payments;")[0].rows
    assert rows == [["t1", 1688202930000], ["t2", 1688202960000]]


def test_text_that_does_not_match_the_format_is_a_statement_error(engine):
    with pytest.raises(KsqlStatementError, match="Cannot parse the TIMESTAMP column PAID_AT value 'yesterday'"):
        engine.execute("INSERT INTO payments (tx_id, card, paid_at, amount) VALUES ('t3', 'c', 'yesterday', 1.0);")
    assert engine.records("payments") == []


def test_rowtime_given_explicitly_wins(engine):
    engine.execute("INSERT INTO payments (ROWTIME, tx_id, card, paid_at, amount) "
                   "VALUES (5000, 't4', 'c', '2023-07-01T09:15:30', 1.0);")
    assert [r.timestamp for r in engine.records("payments")] == [5000]
