"""Replays of ksqlDB's documentation pages: each module follows one page, with its own data
shaped like the page's, and compares the rows with what the page shows ('avro' read as
'json': AVRO is not part of this replay)."""

import pytest

from ksql_magic import Engine


@pytest.fixture
def engine():
    """An engine whose queries start from the earliest offset, as every page asks with
    SET 'auto.offset.reset' = 'earliest'."""
    e = Engine()
    e.execute("SET 'auto.offset.reset' = 'earliest';")
    yield e
    e.close()


def push_rows(engine, sql: str, rows: int, timeout: float = 10.0) -> list[list]:
    """The rows a push query shows once ``rows`` of them arrived, as lists in column order."""
    result = engine.execute(sql)[-1]
    handle = result.handle
    handle.wait(rows=rows, timeout=timeout)
    handle.stop()
    return [[r[c] for c in handle.columns] for r in handle.rows]


def columns_of(engine, sql: str) -> list[str]:
    """The column headers a push query shows."""
    result = engine.execute(sql)[-1]
    result.handle.stop()
    return result.columns


def pull_rows(engine, sql: str) -> list[list]:
    return engine.execute(sql)[-1].rows
