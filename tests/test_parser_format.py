"""Formatting expressions back to ksqlDB's text, and ${var} substitution."""

import pytest

from ksql_magic import types
from ksql_magic.sql.format import format_expression, format_name, format_type, java_double
from ksql_magic.sql.parser import parse_expression
from ksql_magic.sql.variables import substitute_variables


@pytest.mark.parametrize("text, formatted", [
    ("RANDOM() + 1.5", "(RANDOM() + 1.5)"),
    ("id >= 'not an int'", "(ID >= 'not an int')"),
    ("STRUCT(F0 := val1)", "STRUCT(F0:=VAL1)"),
    ("MAP('a' := 1, 'b' := 2)", "MAP('a':=1, 'b':=2)"),
    ("ARRAY[10]", "ARRAY[10]"),
    ("(s1.k = s2.k) AND (s1.k2 = s2.k2)", "((S1.K = S2.K) AND (S1.K2 = S2.K2))"),
    ("cast(l.fk AS string)", "CAST(L.FK AS STRING)"),
    ("substring(region, 7, 1)", "SUBSTRING(REGION, 7, 1)"),
    ("COUNT(*)", "COUNT(*)"),
    ("l.a = null", "(L.A = null)"),
    ("x = true", "(X = true)"),
    ("`lower` + `Sp ace`", "(`lower` + `Sp ace`)"),
    ("`SELECT`", "`SELECT`"),
    ("a->b[1]", "A->B[1]"),
    ("TRANSFORM(a, x => x + 1)", "TRANSFORM(A, X => (X + 1))"),
    ("REDUCE(a, 0, (s, x) => s + x)", "REDUCE(A, 0, (S, X) => (S + X))"),
    ("TIMESTAMPADD(SECONDS, 1, ts)", "TIMESTAMPADD(SECONDS, 1, TS)"),
    ("CASE WHEN a THEN 'x' ELSE 'y' END", "(CASE WHEN A THEN 'x' ELSE 'y' END)"),
    ("'it''s'", "'it''s'"),
    ("-5", "-5"),
    ("NOT a", "(NOT A)"),
    ("1.5E3", "1500.0"),
])
def test_format_expression_like_ksqldb(text, formatted):
    assert format_expression(parse_expression(text)) == formatted


@pytest.mark.parametrize("value, text", [
    (1500.0, "1500.0"), (1e20, "1.0E20"), (1.5e-5, "1.5E-5"), (12345678.0, "1.2345678E7"),
    (0.0, "0.0"), (-2.5e300, "-2.5E300"), (float("nan"), "NaN"),
])
def test_java_double_format(value, text):
    assert java_double(value) == text


def test_format_type_and_name():
    assert format_type(types.struct([("a", types.array(types.INTEGER))])) == \
        "STRUCT<`a` ARRAY<INTEGER>>"
    assert format_name("ID") == "ID" and format_name("id") == "`id`"


def test_substitute_variables_case_insensitive_inside_quotes():
    out = substitute_variables("CREATE STREAM ${Name} WITH (f='${FORMAT}', r=${replicas})",
                               {"name": "s1", "format": "AVRO", "REPLICAS": "3"})
    assert out == "CREATE STREAM s1 WITH (f='AVRO', r=3)"


def test_substitute_variables_leaves_unknown_and_escaped_references():
    assert substitute_variables("a ${nope} $${format}", {"format": "X"}) == \
        "a ${nope} ${format}"


def test_substitute_variables_without_references_is_identity():
    assert substitute_variables("SELECT $1", {"a": "b"}) == "SELECT $1"
