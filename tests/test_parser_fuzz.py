"""Random token soup never makes the splitter or parser raise anything but KsqlError."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksql_magic.errors import KsqlError
from ksql_magic.sql.parser import parse_expression, parse_statement, parse_type, split_statements

WORDS = """SELECT FROM WHERE GROUP BY PARTITION HAVING EMIT CHANGES FINAL LIMIT WINDOW TUMBLING
HOPPING SESSION SIZE ADVANCE RETENTION GRACE PERIOD SECONDS MINUTE HOURS DAY CREATE OR REPLACE
SOURCE STREAM TABLE TYPE IF NOT EXISTS WITH AS INSERT INTO VALUES JOIN LEFT RIGHT FULL OUTER
INNER WITHIN ON SHOW LIST TOPICS STREAMS TABLES QUERIES EXTENDED ALL DESCRIBE FUNCTION PRINT
BEGINNING INTERVAL TERMINATE DROP DELETE TOPIC EXPLAIN SET UNSET DEFINE UNDEFINE KEY PRIMARY
HEADERS HEADER CASE WHEN THEN ELSE END CAST ARRAY MAP STRUCT INT BIGINT DOUBLE DECIMAL STRING
VARCHAR BOOLEAN TIMESTAMP DATE TIME BYTES AND IS NULL TRUE FALSE LIKE BETWEEN IN DISTINCT ALTER
ADD COLUMN a b s t x COUNT ROWTIME""".split()
PUNCT = "( ) [ ] , . ; = <> != < <= > >= + - * / % || := -> => ' \" ` -- /* */ ${x}".split()
LITERALS = ["1", "0", "-1", "2147483648", "99999999999999999999", "1.5", ".5", "1e5",
            "1E999", "'str'", "'it''s'", "`Quoted`", "\"dq\"", "'", "`", "\n"]
TOKEN = st.sampled_from(WORDS + PUNCT + LITERALS)
SOUP = st.lists(TOKEN, max_size=40).map(" ".join)


def _only_ksql_errors(fn, text):
    try:
        fn(text)
    except KsqlError:
        pass


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOUP)
def test_random_token_soup_raises_only_ksql_errors(text):
    for piece in split_statements(text):
        _only_ksql_errors(lambda t: parse_statement(t, piece.line, piece.column), piece.text)
    _only_ksql_errors(parse_statement, text)


@settings(max_examples=1000, deadline=None)
@given(SOUP)
def test_random_soup_as_expression_or_type_raises_only_ksql_errors(text):
    _only_ksql_errors(parse_expression, text)
    _only_ksql_errors(parse_type, text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_ksql_errors(text):
    for piece in split_statements(text):
        _only_ksql_errors(lambda t: parse_statement(t, piece.line, piece.column), piece.text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKEN, max_size=30).map(" ".join))
def test_soup_after_select_prefix_raises_only_ksql_errors(text):
    _only_ksql_errors(parse_statement, "SELECT " + text)
    _only_ksql_errors(parse_statement, "CREATE STREAM s " + text)
