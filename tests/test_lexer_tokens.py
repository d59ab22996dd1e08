"""Lexing and statement splitting: token shapes, positions, quotes and comments."""

import pytest

from ksql_magic.errors import KsqlSyntaxError
from ksql_magic.sql.lexer import StatementText, tokenize
from ksql_magic.sql.parser import split_statements


def kinds(text):
    return [(t.kind, t.value) for t in tokenize(text)][:-1]


def test_words_upper_cased_and_quoted_identifiers_kept():
    assert kinds("select `My``Col` \"dq\" x_1@") == [
        ("WORD", "SELECT"), ("QIDENT", "My`Col"), ("QIDENT", "dq"), ("WORD", "X_1@")]


@pytest.mark.parametrize("text, kind", [
    ("12", "INTEGER"), ("1.5", "DECIMAL"), (".5", "DECIMAL"), ("1.", "DECIMAL"),
    ("1e5", "FLOAT"), ("1.5E-3", "FLOAT"), ("2E+2", "FLOAT"),
])
def test_number_shapes(text, kind):
    assert kinds(text) == [(kind, text)]


def test_digit_identifier_is_a_word():
    assert kinds("1abc") == [("WORD", "1ABC")]


def test_operators_longest_match():
    assert [v for _, v in kinds("a<=b<>c!=d=>e:=f->g||h>=i")] == [
        "A", "<=", "B", "<>", "C", "!=", "D", "=>", "E", ":=", "F", "->", "G", "||", "H",
        ">=", "I"]


def test_string_escapes():
    assert kinds("'it''s' ''") == [("STRING", "it's"), ("STRING", "")]


def test_comments_skipped():
    assert kinds("a -- x\n/* y\n z */ b") == [("WORD", "A"), ("WORD", "B")]


def test_positions_are_one_based_and_offset_by_start():
    toks = tokenize("a\n  bb c", line=3, column=5)
    assert [(t.line, t.column) for t in toks] == [(3, 5), (4, 3), (4, 6), (4, 7)]


@pytest.mark.parametrize("text, pos, what", [
    ("SELECT 'abc", (1, 8), "unterminated string literal"),
    ("a `b", (1, 3), "unterminated quoted identifier"),
    ("a\n /* never", (2, 2), "unterminated comment"),
    ("a # b", (1, 3), "token recognition error at: '#'"),
])
def test_lexical_errors_are_positioned(text, pos, what):
    with pytest.raises(KsqlSyntaxError) as info:
        tokenize(text)
    assert (info.value.line, info.value.column) == pos
    assert what in info.value.message


def test_split_on_top_level_semicolons_only():
    text = "SELECT ';' FROM a; SELECT `x;y` FROM b /* ; */ ;\n-- c;\nSHOW TOPICS"
    assert split_statements(text) == [
        StatementText("SELECT ';' FROM a;", 1, 1),
        StatementText("SELECT `x;y` FROM b /* ; */ ;", 1, 20),
        StatementText("SHOW TOPICS", 3, 1)]


def test_split_drops_empty_and_comment_only_pieces():
    assert split_statements(" ;; -- only a comment\n /* and; another */ ;") == []
    assert split_statements("") == []


def test_split_tolerates_unterminated_quotes():
    pieces = split_statements("SHOW TOPICS; SELECT 'oops; FROM s")
    assert [p.text for p in pieces] == ["SHOW TOPICS;", "SELECT 'oops; FROM s"]


def test_split_positions_count_lines_and_columns():
    pieces = split_statements("\n\n   DROP STREAM a;\n\tDROP STREAM b;")
    assert [(p.line, p.column) for p in pieces] == [(3, 4), (4, 2)]
