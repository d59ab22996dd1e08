"""Malformed statements (tests/golden/malformed_syntax.json) fail with a KsqlSyntaxError at
the offending token's 1-based line and column, saying what was expected there."""

import json
from pathlib import Path

import pytest

from ksql_magic.errors import KsqlSyntaxError
from ksql_magic.sql.parser import parse_statement

CASES = json.loads((Path(__file__).parent / "golden" / "malformed_syntax.json").read_text())


def test_golden_file_has_enough_cases():
    assert len(CASES) >= 150
    assert len({c["sql"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["sql"][:40] for c in CASES])
def test_malformed_statement_points_at_offending_token(case):
    with pytest.raises(KsqlSyntaxError) as info:
        parse_statement(case["sql"])
    err = info.value
    assert (err.line, err.column) == (case["line"], case["column"]), err.message
    assert case["expect"] in err.message


def test_position_is_relative_to_original_text():
    with pytest.raises(KsqlSyntaxError) as info:
        parse_statement("SELECT a,\n, b FROM s", line=10, column=3)
    assert (info.value.line, info.value.column) == (11, 1)
    assert str(info.value).startswith("line 11:1: Syntax Error\n")


def test_unknown_statement_message_matches_ksqldb():
    with pytest.raises(KsqlSyntaxError) as info:
        parse_statement("RERUN SCRIPT 'foo';")      # RUN SCRIPT is a statement (CLI form)
    assert str(info.value) == "line 1:1: Syntax Error\nUnknown statement 'RERUN'"


def test_group_by_list_with_parenthesised_pair_matches_ksqldb():
    with pytest.raises(KsqlSyntaxError) as info:
        parse_statement("CREATE TABLE O AS SELECT f1 FROM T GROUP BY f3, (f2, f1);")
    assert info.value.message == "Syntax Error\nmissing ')' at ','"
