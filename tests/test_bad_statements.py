"""The bad-input suite: every statement in tests/golden/bad_statements.txt is refused with a
KsqlError at a line and column, saying what ksqlDB says, within seconds, and leaves the
engine's catalog, topics, running queries, properties and variables exactly as they were.
The engine runs persistent and push queries throughout, and they still work afterwards."""

import json
import pathlib
import signal

import pytest

from ksql_magic import Engine, KsqlError
from statement_state import engine_state, start_engine_with_running_queries
from test_engine_errors import SETUP as SEMANTIC_SETUP

GOLDEN_DIR = pathlib.Path(__file__).parent / "golden"
GOLDEN = GOLDEN_DIR / "bad_statements.txt"
SECONDS_PER_STATEMENT = 10


def _entries():
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sql, words = line.split(" || ")
            yield sql, words


def _all_bad_inputs() -> set:
    """Every distinct bad statement across the golden files."""
    inputs = {sql for sql, _ in _entries()}
    inputs |= {c["sql"] for c in json.loads((GOLDEN_DIR / "malformed_syntax.json").read_text())}
    for line in (GOLDEN_DIR / "semantic_errors.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            inputs.add(line.split(" | ")[0].strip())
    return inputs


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.create_topic("c2")
    e.execute(SEMANTIC_SETUP)           # the catalog semantic_errors.txt is written for
    e.push_handle = start_engine_with_running_queries(e)
    yield e
    e.close()


def _timeout(*_):
    raise TimeoutError("statement took longer than %d s" % SECONDS_PER_STATEMENT)


def test_golden_files_hold_at_least_400_distinct_bad_inputs():
    assert len(_all_bad_inputs()) >= 400


@pytest.mark.parametrize("sql, words", [pytest.param(s, w, id=s[:70]) for s, w in _entries()])
def test_bad_statement_is_refused_at_a_position_and_changes_nothing(engine, sql, words):
    before = engine_state(engine)
    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(SECONDS_PER_STATEMENT)
    try:
        with pytest.raises(KsqlError) as err:
            engine.execute(sql)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    e = err.value
    assert e.line is not None and e.column is not None, str(e)
    assert words in e.message, e.message
    assert engine_state(engine) == before


def _other_golden_inputs():
    for c in json.loads((GOLDEN_DIR / "malformed_syntax.json").read_text()):
        yield c["sql"]
    for line in (GOLDEN_DIR / "semantic_errors.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split(" | ")[0].strip()


@pytest.mark.parametrize("sql", [pytest.param(s, id=s[:70]) for s in _other_golden_inputs()])
def test_other_golden_bad_inputs_change_nothing_on_a_running_engine(engine, sql):
    """The parser's and planner's golden bad inputs, run through execute() on this suite's
    engine: a KsqlError at a position, nothing changed."""
    before = engine_state(engine)
    with pytest.raises(KsqlError) as err:
        engine.execute(sql)
    assert err.value.line is not None and err.value.column is not None, str(err.value)
    assert engine_state(engine) == before


def test_queries_keep_running_after_the_bad_inputs(engine):
    """Run last in this module (pytest keeps file order): the persistent and push queries
    started before the suite still process new input."""
    before = len(engine.records("ORDERS_COPY"))
    engine.produce("orders", '{"ITEM": "ink", "QTY": 9, "AMOUNT": 2.0}', key="late", timestamp=9_000)
    engine.drain()
    assert len(engine.records("ORDERS_COPY")) == before + 1
    assert all(q.state == "RUNNING" for q in engine.queries.values())
    rows = engine.push_handle.wait(rows=4, timeout=5).rows
    assert {"ID": "late", "ITEM": "ink"} in rows
