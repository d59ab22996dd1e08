"""Bad statements: a KsqlError whose line and column point at the offending token, a message
saying what went wrong, and the engine's catalog and queries exactly as they were."""

import pathlib

import pytest

from ksql_magic import Engine, KsqlError

GOLDEN = pathlib.Path(__file__).parent / "golden" / "semantic_errors.txt"
SETUP = """
CREATE STREAM clicks (id VARCHAR KEY, page VARCHAR, status INT, tags MAP<STRING, INT>,
  info STRUCT<a INT>) WITH (KAFKA_TOPIC='c', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE users (id VARCHAR PRIMARY KEY, level VARCHAR)
  WITH (KAFKA_TOPIC='u', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM pages AS SELECT id, page FROM clicks;
"""


def _cases():
    for line in GOLDEN.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            stmt, token, words = (p.strip() for p in line.split(" | "))
            yield pytest.param(stmt, token, words, id=stmt[:60])


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.create_topic("c2")
    e.execute(SETUP)
    yield e
    e.close()


def _state(engine):
    return (sorted(engine.catalog.sources), sorted(engine.catalog.queries),
            sorted(engine.queries), sorted(t.name for t in engine.broker.list_topics()))


@pytest.mark.parametrize("stmt, token, words", list(_cases()))
def test_bad_statement_points_at_token_and_changes_nothing(engine, stmt, token, words):
    before = _state(engine)
    with pytest.raises(KsqlError) as err:
        engine.execute(stmt)
    e = err.value
    assert e.line == 1 and e.column is not None, str(e)
    assert stmt[e.column - 1:].upper().startswith(token.upper()), (e.column, str(e))
    assert words in str(e)
    assert _state(engine) == before
