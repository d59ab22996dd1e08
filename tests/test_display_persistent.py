"""Persistent queries shown live, against the real engine: the sink watched, keyed by its
key and window, the query's own status, Stop that returns at once."""

import time

import pytest

from ksql_magic import Engine, datagen
from ksql_magic.display.keyed import KeyedHandle, keyed
from ksql_magic.display.persistent import PersistentHandle

FRAUD = ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) FROM "
         "authorization_attempts WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number "
         "HAVING COUNT(*) > 3;")


@pytest.fixture
def fraud():
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute(datagen.ddl("authorization_attempts"))
    query_id = engine.execute(FRAUD)[0].query_id
    datagen.produce(engine, "authorization_attempts", n=1000, seed=5)
    engine.drain()
    handle = PersistentHandle(engine, query_id, "possible_fraud")
    engine.drain()
    yield engine, handle
    engine.close()


def planted():
    return {e["key"] for e in datagen.generate("authorization_attempts", n=1000, seed=5)
            if e["tag"] == "fraud_burst"}


def test_persistent_handle_shows_one_row_per_card_and_window(fraud):
    _, handle = fraud
    assert set(handle.to_pandas()["CARD_NUMBER"]) == planted()


def test_persistent_handle_reports_the_query_status(fraud):
    _, handle = fraud
    status = handle.status()
    assert status["query_id"].startswith("CTAS_") and status["records_in"] >= 1000


def test_persistent_handle_changes_are_keyed_by_card_and_window(fraud):
    _, handle = fraud
    keys = {c.key for c in handle.changes(0)[1]}
    assert {k[0] for k in keys} == planted() and all(len(k) == 3 for k in keys)


def test_stop_returns_at_once_and_terminates(fraud):
    engine, handle = fraud
    start = time.monotonic()
    handle.stop()
    assert time.monotonic() - start < 0.5 and handle.status()["state"] == "STOPPED"
    deadline = time.monotonic() + 5
    while handle.query_id in engine.queries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.query_id not in engine.queries or \
        engine.queries[handle.query_id].state != "RUNNING"


def test_keyed_leaves_a_handle_with_keys_alone():
    class Named:
        is_table, key_columns, columns = True, ["K"], ["K", "V"]
    handle = Named()
    assert keyed(handle) is handle


def test_keyed_takes_the_first_column_as_key():
    class Unnamed:
        is_table, key_columns = True, []
        columns = ["CARD", "N", "WINDOWSTART", "WINDOWEND"]
    assert isinstance(keyed(Unnamed()), KeyedHandle)
    assert keyed(Unnamed()).key_columns == ["CARD"]
