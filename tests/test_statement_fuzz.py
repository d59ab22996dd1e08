"""Fuzzing statements and records against an engine running persistent and push queries.

Statements are valid ones mutated (tokens dropped, duplicated, swapped or replaced) or built
from random WITH properties, window specs, DECIMAL types and SET values. Whatever comes out:
execute() raises nothing but KsqlError (never the engine's internal-error safety net), a
failure leaves the engine's state exactly as it was, nothing hangs, and drain() still runs
the queries afterwards. Records of random bytes never stop a query."""

import re
import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksql_magic import Engine, KsqlError
from ksql_magic.errors import KsqlInternalError
from statement_state import engine_state, start_engine_with_running_queries

VALID = [
    "CREATE STREAM fresh (id VARCHAR KEY, a INT, d DECIMAL(4,2)) WITH (KAFKA_TOPIC='fresh', VALUE_FORMAT='JSON', PARTITIONS=2, REPLICAS=1);",
    "CREATE TABLE fresh_t (id VARCHAR PRIMARY KEY, a INT) WITH (KAFKA_TOPIC='fresh_t', FORMAT='JSON', PARTITIONS=1);",
    "CREATE STREAM big_orders WITH (KAFKA_TOPIC='big', PARTITIONS=1) AS SELECT id, item, amount FROM orders WHERE qty > 1;",
    "CREATE TABLE per_minute AS SELECT id, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS) GROUP BY id;",
    "CREATE TABLE hopping AS SELECT id, SUM(qty) AS q FROM orders WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY id;",
    "CREATE TABLE sessions AS SELECT id, COUNT(*) AS n FROM orders WINDOW SESSION (30 SECONDS) GROUP BY id;",
    "CREATE OR REPLACE STREAM orders_copy AS SELECT * FROM orders;",
    "INSERT INTO orders_copy SELECT * FROM orders WHERE qty > 5;",
    "INSERT INTO plain (id, a, b) VALUES ('k', 1, 'x');",
    "INSERT INTO events (id, at) VALUES ('k', TIMESTAMP '2024-01-01T00:00:00');",
    "SELECT id, CAST(amount AS DECIMAL(6,2)) FROM orders EMIT CHANGES;",
    "SELECT * FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id EMIT CHANGES;",
    "SELECT * FROM order_counts WHERE id = 'k1';",
    "SET 'auto.offset.reset'='earliest';",
    "SET 'ksql.streams.commit.interval.ms'='100';",
    "UNSET 'auto.offset.reset';",
    "DROP STREAM plain_twin;",
    "CREATE TYPE money AS STRUCT<amount DECIMAL(10,2), currency STRING>;",
    "ALTER STREAM plain ADD COLUMN c BIGINT;",
    "DEFINE who = 'k1';",
]

WORDS = ["SELECT", "FROM", "WHERE", "CREATE", "STREAM", "TABLE", "AS", "WITH", "WINDOW",
         "TUMBLING", "HOPPING", "SESSION", "SIZE", "ADVANCE", "BY", "GRACE", "PERIOD",
         "GROUP", "EMIT", "CHANGES", "DECIMAL", "INSERT", "INTO", "VALUES", "DROP", "OR",
         "REPLACE", "KEY", "PRIMARY", "PARTITIONS", "REPLICAS", "KAFKA_TOPIC", "VALUE_FORMAT",
         "VALUE_FROMAT", "TIMESTAMP", "SECONDS", "MINUTE", "orders", "plain", "order_counts",
         "orders_copy", "0", "-1", "1.5", "99999999", "2147483648", "'abc'", "''", "true",
         "NULL", "(", ")", ",", "=", ";", "*", "'2020-13-01'", "'a/b'", "DELETE", "TOPIC"]

_TOKEN = re.compile(r"'[^']*'|`[^`]*`|\w+|[^\w\s]")


def _mutate(statement: str, edits: list) -> str:
    tokens = _TOKEN.findall(statement)
    for op, i, word in edits:
        if not tokens:
            break
        i %= len(tokens)
        if op == "drop":
            del tokens[i]
        elif op == "dup":
            tokens.insert(i, tokens[i])
        elif op == "swap" and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif op == "replace":
            tokens[i] = word
        elif op == "insert":
            tokens.insert(i, word)
    return " ".join(tokens)


EDIT = st.tuples(st.sampled_from(["drop", "dup", "swap", "replace", "insert"]),
                 st.integers(0, 200), st.sampled_from(WORDS))
MUTATED = st.builds(_mutate, st.sampled_from(VALID), st.lists(EDIT, min_size=1, max_size=4))

PROP_NAMES = ["KAFKA_TOPIC", "VALUE_FORMAT", "KEY_FORMAT", "FORMAT", "PARTITIONS", "REPLICAS",
              "RETENTION_MS", "WRAP_SINGLE_VALUE", "TIMESTAMP", "WINDOW_TYPE", "WINDOW_SIZE",
              "VALUE_FROMAT", "PARTITION", "KEY_SCHEMA_ID", "VALUE_DELIMITER", "foo"]
PROP_VALUES = st.one_of(
    st.integers(-3, 3).map(str), st.sampled_from(["99999999", "2147483648", "-32769", "1.5",
                                                  "1E3", "true", "false", "NULL"]),
    st.sampled_from(["'JSON'", "'KAFKA'", "'DELIMITED'", "''", "'a b'", "'x/y'", "'abc'",
                     "'TUMBLING'", "'1 SECOND'", "'0 SECONDS'", "'..'", "'fresh'"]))
PROPS = st.lists(st.tuples(st.sampled_from(PROP_NAMES), PROP_VALUES), min_size=1, max_size=5).map(
    lambda ps: ", ".join("%s=%s" % p for p in ps))
WITH_CREATE = PROPS.map(lambda p: "CREATE STREAM fuzzed (id VARCHAR KEY, a INT) WITH (%s);" % p)
WITH_CSAS = PROPS.map(lambda p: "CREATE STREAM fuzzed WITH (%s) AS SELECT * FROM orders;" % p)

UNITS = st.sampled_from(["MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS"])
AMOUNT = st.integers(-3, 3)


def _window(kind, size, unit, advance, grace):
    spec = {"TUMBLING": "SIZE %d %s" % (size, unit),
            "HOPPING": "SIZE %d %s, ADVANCE BY %d %s" % (size, unit, advance, unit),
            "SESSION": "%d %s" % (size, unit)}[kind]
    if grace is not None:
        spec += ", GRACE PERIOD %d %s" % (grace, unit)
    return ("CREATE TABLE fuzzed_w AS SELECT id, COUNT(*) AS n FROM orders WINDOW %s (%s) "
            "GROUP BY id;" % (kind, spec))


WINDOWS = st.builds(_window, st.sampled_from(["TUMBLING", "HOPPING", "SESSION"]), AMOUNT, UNITS,
                    AMOUNT, st.none() | AMOUNT)
DECIMALS = st.builds(lambda p, s: "SELECT CAST(amount AS DECIMAL(%d, %d)) FROM orders EMIT CHANGES;"
                     % (p, s), st.integers(-2, 4), st.integers(-2, 4))
SETS = st.builds(lambda n, v: "SET '%s'='%s';" % (n, v),
                 st.sampled_from(["auto.offset.reset", "ksql.streams.commit.interval.ms",
                                  "ksql.streams.cache.max.bytes.buffering",
                                  "ksql.query.pull.table.scan.enabled", "processing.guarantee"]),
                 st.sampled_from(["earliest", "sideways", "abc", "-1", "0", "100", "true",
                                  "yes", "", "exactly_once_v2"]))
STATEMENTS = st.one_of(MUTATED, WITH_CREATE, WITH_CSAS, WINDOWS, DECIMALS, SETS)


class _Hang(Exception):
    pass


def _alarm(*_):
    raise _Hang()


_ENGINE = {}


def _engine() -> Engine:
    if "e" not in _ENGINE:
        e = Engine(properties={"auto.offset.reset": "earliest"})
        start_engine_with_running_queries(e)
        _ENGINE["e"] = e
    return _ENGINE["e"]


def _fresh_engine() -> None:
    """A statement that succeeded changed the catalog: start the next example from the
    suite's catalog again, so every failure is judged against running queries."""
    old = _ENGINE.pop("e", None)
    if old is not None:
        old.close()


def _run(sql: str) -> None:
    """Each ';'-separated statement on its own: one that fails must leave the state exactly
    as the statements before it left it."""
    from ksql_magic.sql.parser import split_statements
    try:
        pieces = [p.text for p in split_statements(sql)] or [sql]
    except KsqlError:
        pieces = [sql]
    for piece in pieces:
        if not _run_one(piece):
            return


def _run_one(sql: str) -> bool:
    """True when the statement succeeded (the engine is then replaced for the next one)."""
    engine = _engine()
    before = engine_state(engine)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(10)
    try:
        engine.execute(sql)
    except KsqlInternalError as e:
        raise AssertionError("internal error for %r: %s" % (sql, e)) from e
    except KsqlError:
        assert engine_state(engine) == before, sql
        engine.drain()
        assert all(q.state == "RUNNING" for q in engine.queries.values())
        return False
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    engine.drain()
    _fresh_engine()
    return True


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(STATEMENTS)
def test_fuzzed_statements_fail_only_with_ksql_errors_and_change_nothing(sql):
    _run(sql)


RECORD_BYTES = st.one_of(st.none(), st.binary(max_size=40),
                         st.sampled_from([b'{"ITEM": "pen", "QTY": 1, "AMOUNT": 2.5}', b"{}", b"[]",
                                          b'{"QTY": "many"}', b'{"AMOUNT": 1e400}', b"null",
                                          b'{"QTY": 99999999999}', b'{"ITEM": null}']))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=8)), RECORD_BYTES,
                          st.integers(-1, 2 ** 40)), min_size=1, max_size=8))
def test_fuzzed_records_never_stop_a_query(records):
    engine = _engine()
    for key, value, ts in records:
        engine.produce("orders", value, key=key, timestamp=max(ts, 0))
    engine.drain()
    assert all(q.state == "RUNNING" for q in engine.queries.values())
