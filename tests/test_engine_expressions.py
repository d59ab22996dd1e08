"""Expressions evaluate as ksqlDB evaluates them: a golden table of expression -> value over
one row (Java integer arithmetic, NULL rules, CAST, collections, lambdas, functions)."""

import pathlib
from decimal import Decimal  # noqa: F401 - used by the golden values

import pytest

from ksql_magic import Engine

GOLDEN = pathlib.Path(__file__).parent / "golden" / "expressions.txt"
ROW = '{"I": 7, "BIG": 10000000000, "D": 1.5, "S": "Mozilla/5.0", "N": null, "NS": null, "NB": null, "B": true, "A": [1, 2, 3]}'


def _cases():
    for line in GOLDEN.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            expr, expected = (p.strip() for p in line.rsplit(" | ", 1))
            yield pytest.param(expr, expected, id=expr)


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM r (i INT, big BIGINT, d DOUBLE, s STRING, n INT, ns STRING, nb BOOLEAN, b BOOLEAN, a ARRAY<INT>) "
              "WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.produce("r", ROW)
    yield e
    e.close()


@pytest.mark.parametrize("expr, expected", list(_cases()))
def test_expression_value(engine, expr, expected):
    rows = engine.execute("SELECT %s AS v FROM r;" % expr)[0].rows
    assert rows == [[eval(expected, {"Decimal": Decimal, "inf": float("inf")})]]
