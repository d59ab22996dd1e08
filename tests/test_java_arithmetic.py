"""INT and BIGINT behave as Java's int and long (ksqlDB evaluates with Java): a golden table
of wrapping arithmetic, saturating double casts, parse rules for text casts and IEEE
remainders; and no invalid JSON (a bare NaN) is ever written for a DOUBLE."""

import json
import pathlib
from decimal import Decimal

import pytest

from ksql_magic import Engine

GOLDEN = pathlib.Path(__file__).parent / "golden" / "java_arithmetic.txt"
ROW = {"IMIN": -2 ** 31, "IMAX": 2 ** 31 - 1, "LMIN": -2 ** 63, "LMAX": 2 ** 63 - 1, "BIGD": 1e300, "I": 7}


def _cases():
    for line in GOLDEN.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            expr, expected = (p.strip() for p in line.rsplit(" | ", 1))
            yield pytest.param(expr, expected, id=expr)


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM r (imin INT, imax INT, lmin BIGINT, lmax BIGINT, bigd DOUBLE, i INT) "
              "WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.produce("r", json.dumps(ROW))
    yield e
    e.close()


@pytest.mark.parametrize("expr, expected", list(_cases()))
def test_java_value(engine, expr, expected):
    rows = engine.execute("SELECT %s AS v FROM r;" % expr)[0].rows
    assert rows == [[eval(expected, {"Decimal": Decimal, "inf": float("inf")})]]


def test_double_nan_and_infinity_are_written_as_json_strings(engine):
    """Jackson (QUOTE_NON_NUMERIC_NUMBERS) writes "NaN" / "Infinity" as strings: valid JSON."""
    engine.execute("CREATE STREAM nan_out AS SELECT CAST('NaN' AS DOUBLE) AS a, "
                   "CAST(bigd AS DOUBLE) * bigd AS b, -bigd * bigd AS c FROM r;")
    engine.drain()
    [rec] = engine.records("NAN_OUT")
    assert json.loads(rec.value, parse_constant=lambda c: pytest.fail("bare %s in JSON" % c)) == {
        "A": "NaN", "B": "Infinity", "C": "-Infinity"}


@pytest.mark.parametrize("value", ["9999999999", "CAST(5 AS BIGINT)"])
def test_bigint_value_is_refused_by_an_int_column(value):
    """Java's long never narrows to int implicitly: INSERT VALUES refuses it, never wraps."""
    from ksql_magic.errors import KsqlStatementError
    e = Engine()
    e.execute("CREATE STREAM a (id VARCHAR KEY, v INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);")
    with pytest.raises(KsqlStatementError, match="Expected type INTEGER for field V but got .*BIGINT"):
        e.execute("INSERT INTO a (id, v) VALUES ('k', %s);" % value)
    assert e.records("a") == []
    e.close()
