"""A statement is all or nothing: one that fails after it started changing things (a topic
created, a query replaced) is rolled back, so the engine is exactly as it was before it."""

import pytest

from ksql_magic import Engine, KsqlError
from ksql_magic import executor
from ksql_magic.errors import KsqlInternalError
from statement_state import engine_state, start_engine_with_running_queries


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    start_engine_with_running_queries(e)
    yield e
    e.close()


def _topics(engine):
    return sorted(t.name for t in engine.broker.list_topics())


def test_failed_csas_leaves_no_topic_behind(engine):
    before = engine_state(engine)
    with pytest.raises(KsqlError, match="TIMESTAMP column set in the WITH clause does not exist"):
        engine.execute("CREATE STREAM stamped WITH (KAFKA_TOPIC='stamped', TIMESTAMP='nosuch') "
                       "AS SELECT * FROM orders;")
    assert "stamped" not in _topics(engine)
    assert engine_state(engine) == before


def test_failed_create_or_replace_keeps_the_running_query_and_the_catalog(engine):
    old_query = engine.catalog.sources["ORDERS_COPY"].query_id
    with pytest.raises(KsqlError, match="Cannot upgrade data source"):
        engine.execute("CREATE OR REPLACE STREAM orders_copy AS SELECT id, item FROM orders;")
    assert engine.catalog.sources["ORDERS_COPY"].query_id == old_query
    assert engine.queries[old_query].state == "RUNNING"
    seen = len(engine.records("ORDERS_COPY"))
    engine.produce("orders", '{"ITEM": "cup", "QTY": 1, "AMOUNT": 3.0}', key="new", timestamp=5_000)
    engine.drain()
    assert len(engine.records("ORDERS_COPY")) == seen + 1


def test_compatible_create_or_replace_upgrades_the_query_in_place(engine):
    old_id = engine.catalog.sources["ORDERS_COPY"].query_id
    old_query = engine.queries[old_id]
    engine.execute("CREATE OR REPLACE STREAM orders_copy AS SELECT * FROM orders WHERE qty > 0;")
    assert engine.catalog.sources["ORDERS_COPY"].query_id == old_id     # ksqlDB keeps the id
    assert engine.queries[old_id] is not old_query and old_query.state != "RUNNING"
    assert engine.queries[old_id].state == "RUNNING"


def test_replace_may_append_a_value_column(engine):
    engine.execute("CREATE OR REPLACE STREAM orders_copy AS SELECT *, qty * 2 AS twice FROM orders;")
    names = [c.name for c in engine.catalog.sources["ORDERS_COPY"].columns]
    assert names[-1] == "TWICE"


def test_refused_set_keeps_the_old_value_and_later_csas_runs(engine):
    with pytest.raises(KsqlError, match="Not a number of type LONG"):
        engine.execute("SET 'ksql.streams.commit.interval.ms'='abc';")
    assert engine.properties["ksql.streams.commit.interval.ms"] == "2000"
    engine.execute("CREATE STREAM after_set AS SELECT * FROM orders;")
    assert engine.queries[engine.catalog.sources["AFTER_SET"].query_id].state == "RUNNING"


def test_statements_before_a_failing_one_stay_done(engine):
    with pytest.raises(KsqlError) as err:
        engine.execute("CREATE STREAM first_ok AS SELECT * FROM orders;\n"
                       "CREATE STREAM second_bad WITH (PARTITIONS=0) AS SELECT * FROM orders;")
    assert (err.value.line, err.value.column) == (2, 32)
    assert "FIRST_OK" in engine.catalog.sources
    assert "SECOND_BAD" not in engine.catalog.sources
    assert "SECOND_BAD" not in _topics(engine)


def test_drop_delete_topic_of_a_shared_topic_keeps_both_sources(engine):
    with pytest.raises(KsqlError, match=r"Found other data sources \(PLAIN_TWIN\) using topic plain"):
        engine.execute("DROP STREAM plain DELETE TOPIC;")
    assert {"PLAIN", "PLAIN_TWIN"} <= set(engine.catalog.sources)
    assert "plain" in _topics(engine)


def test_unexpected_failure_inside_a_handler_is_a_ksql_error_and_rolled_back(engine, monkeypatch):
    """A bug in a handler (a Python exception after it created a topic and started a query)
    still surfaces as a KsqlError at the statement, and what it did is undone."""
    real = executor.create_as_select

    def broken(eng, stmt):
        real(eng, stmt)
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(executor.HANDLERS, executor.ast.CreateAsSelect, broken)
    before = engine_state(engine)
    with pytest.raises(KsqlInternalError, match="ZeroDivisionError: boom") as err:
        engine.execute("CREATE STREAM doomed AS SELECT * FROM orders;")
    assert (err.value.line, err.value.column) == (1, 1)
    assert engine_state(engine) == before
    assert "DOOMED" not in _topics(engine)


def test_engine_refuses_a_mistyped_property_at_construction():
    with pytest.raises(KsqlError, match="String must be one of: latest, earliest, none"):
        Engine(properties={"auto.offset.reset": "sideways"})
