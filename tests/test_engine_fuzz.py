"""Whatever a user types, Engine.execute raises nothing but KsqlError, and a statement that
fails leaves the catalog as it was. Tokens are drawn from the dialect and from the names of
a real catalog, so many sequences get past the parser into planning and execution."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksql_magic import Engine, KsqlError

SETUP = """
CREATE STREAM clicks (id VARCHAR KEY, page VARCHAR, status INT, amount DOUBLE,
  tags ARRAY<STRING>, info STRUCT<a INT, b STRING>, m MAP<STRING, INT>)
  WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE users (id VARCHAR PRIMARY KEY, level VARCHAR, n BIGINT)
  WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
"""

TOKENS = [
    "SELECT", "*", "FROM", "clicks", "users", "c", "u", "WHERE", "GROUP", "BY", "HAVING",
    "EMIT", "CHANGES", "FINAL", "LIMIT", "1", "0", "-1", "2.5", "'x'", "NULL", "TRUE", "AND",
    "OR", "NOT", "=", "<>", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ";", "->", "[",
    "]", "id", "page", "status", "amount", "tags", "info", "m", "level", "n", "a", "AS",
    "COUNT(*)", "SUM", "UCASE", "CAST", "INT", "STRING", "ARRAY", "MAP", "STRUCT", "CASE",
    "WHEN", "THEN", "ELSE", "END", "LIKE", "IN", "BETWEEN", "IS", "JOIN", "LEFT", "ON",
    "WITHIN", "1 HOUR", "WINDOW", "TUMBLING", "(SIZE 1 MINUTE)", "PARTITION", "CREATE",
    "STREAM", "TABLE", "s2", "WITH", "(KAFKA_TOPIC='t2', PARTITIONS=1)", "INSERT", "INTO",
    "VALUES", "DROP", "SHOW", "TOPICS", "DESCRIBE", "EXPLAIN", "PRINT", "TERMINATE", "ALL",
    "ROWTIME", "WINDOWSTART", "TRANSFORM", "x", "=>", "ROWKEY", "c.id", "u.id", "u.level",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=18))
def test_random_statements_raise_only_ksql_errors(tokens):
    engine = _ENGINE
    before = sorted(engine.catalog.sources)
    try:
        engine.execute(" ".join(tokens))
    except KsqlError:
        assert sorted(engine.catalog.sources) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS[:60]), min_size=1, max_size=12))
def test_random_projections_over_a_stream_plan_or_fail_cleanly(tokens):
    try:
        _ENGINE.execute("SELECT %s FROM clicks c EMIT CHANGES;" % " ".join(tokens))
    except KsqlError:
        pass


_ENGINE = Engine(properties={"auto.offset.reset": "earliest"})
_ENGINE.execute(SETUP)
