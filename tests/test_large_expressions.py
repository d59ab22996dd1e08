"""Expressions too large for one Python lambda still compile and evaluate, as ksqlDB
compiles them: long operator chains, long AND/OR lists and CASE with hundreds of WHENs
(Python refuses more than 200 nested brackets; the compiler outlines deep sub-expressions)."""

import json

import pytest

from ksql_magic import Engine


@pytest.fixture(scope="module")
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM r (a INT, d DOUBLE, s STRING, arr ARRAY<INT>) WITH (KAFKA_TOPIC='r', "
              "VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.produce("r", json.dumps({"A": 3, "D": 0.5, "S": "x", "ARR": [1, 2]}))
    yield e
    e.close()


def value(engine, expr):
    return engine.execute("SELECT %s AS v FROM r;" % expr)[0].rows[0][0]


@pytest.mark.parametrize("n", [300, 1000])
def test_long_sum_chain(engine, n):
    assert value(engine, " + ".join(["a"] * n)) == 3 * n


def test_long_chain_wraps_like_java_int(engine):
    expr = " * ".join(["a"] * 300)
    expected = ((3 ** 300 + 2 ** 31) % 2 ** 32) - 2 ** 31
    assert value(engine, expr) == expected


@pytest.mark.parametrize("n", [300, 1000])
def test_long_and_chain(engine, n):
    assert value(engine, " AND ".join("a > %d" % -i for i in range(n))) is True
    assert value(engine, " AND ".join(["a > 0"] * (n - 1) + ["a > 5"])) is False


@pytest.mark.parametrize("n", [300, 1000])
def test_long_or_chain(engine, n):
    assert value(engine, " OR ".join("a = %d" % (i + 10) for i in range(n))) is False
    assert value(engine, " OR ".join(["a = 0"] * (n - 1) + ["a = 3"])) is True


@pytest.mark.parametrize("n", [200, 1000])
def test_case_with_many_whens(engine, n):
    whens = " ".join("WHEN a = %d THEN 'w%d'" % (i, i) for i in range(n))
    assert value(engine, "CASE %s ELSE 'none' END" % whens) == "w3"
    simple = " ".join("WHEN %d THEN %d" % (i, i * 10) for i in range(n))
    assert value(engine, "CASE a %s END" % simple) == 30


def test_long_concatenation(engine):
    assert value(engine, " || ".join(["s"] * 500)) == "x" * 500


def test_deep_expression_inside_a_lambda(engine):
    body = " + ".join(["x"] * 300)
    assert value(engine, "TRANSFORM(arr, x => %s)" % body) == [300, 600]


def test_cast_inside_a_lambda_sees_the_lambda_variable(engine):
    assert value(engine, "TRANSFORM(arr, x => CAST(x AS STRING))") == ["1", "2"]


def test_persistent_query_with_a_long_filter_runs(engine):
    cond = " OR ".join("a = %d" % i for i in range(400))
    engine.execute("CREATE STREAM big_filter AS SELECT a FROM r WHERE %s;" % cond)
    engine.drain()
    assert [json.loads(r.value) for r in engine.records("BIG_FILTER")] == [{"A": 3}]
