"""Expression parsing: literals and their types, precedence, postfix, constructors, calls."""

from decimal import Decimal

import pytest

from ksql_magic import types
from ksql_magic.errors import KsqlSyntaxError
from ksql_magic.sql import ast
from ksql_magic.sql.format import format_expression
from ksql_magic.sql.parser import parse_expression, parse_type


def col(name, source=None):
    return ast.ColumnRef(name, source)


def lit(v, t):
    return ast.Literal(v, t)


def i(v):
    return lit(v, types.INTEGER)


@pytest.mark.parametrize("text, value, typ", [
    ("1", 1, types.INTEGER),
    ("2147483647", 2147483647, types.INTEGER),
    ("2147483648", 2147483648, types.BIGINT),
    ("-2147483648", -2147483648, types.INTEGER),
    ("-2147483649", -2147483649, types.BIGINT),
    ("9223372036854775807", 9223372036854775807, types.BIGINT),
    ("-9223372036854775808", -9223372036854775808, types.BIGINT),
    ("1.5", Decimal("1.5"), types.decimal(2, 1)),
    ("0.05", Decimal("0.05"), types.decimal(3, 2)),
    ("12.50", Decimal("12.50"), types.decimal(4, 2)),
    ("-0.5", Decimal("-0.5"), types.decimal(2, 1)),
    (".5", Decimal("0.5"), types.decimal(2, 1)),
    ("100.", Decimal("100"), types.decimal(3, 0)),
    ("1.5E3", 1500.0, types.DOUBLE),
    ("1e-2", 0.01, types.DOUBLE),
    ("'it''s'", "it's", types.STRING),
    ("''", "", types.STRING),
    ("TRUE", True, types.BOOLEAN),
    ("false", False, types.BOOLEAN),
    ("NULL", None, types.NULL),
])
def test_literal_value_and_type(text, value, typ):
    e = parse_expression(text)
    assert e == lit(value, typ)
    assert type(e.value) is type(value)


@pytest.mark.parametrize("text, message", [
    ("9223372036854775808", "Invalid numeric literal: 9223372036854775808"),
    ("1.7976931348623159E308", "Number overflows DOUBLE: 1.7976931348623159E308"),
])
def test_out_of_range_literal_is_a_positioned_error(text, message):
    with pytest.raises(KsqlSyntaxError) as info:
        parse_expression("1 + " + text)
    assert info.value.message == message
    assert (info.value.line, info.value.column) == (1, 5)


@pytest.mark.parametrize("text, formatted", [
    ("a OR b AND c", "(A OR (B AND C))"),
    ("a AND b OR c", "((A AND B) OR C)"),
    ("NOT a AND b", "((NOT A) AND B)"),
    ("NOT a = b", "(NOT (A = B))"),
    ("a = 1 OR b = 2", "((A = 1) OR (B = 2))"),
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("1 - 2 - 3", "((1 - 2) - 3)"),
    ("8 / 4 / 2", "((8 / 4) / 2)"),
    ("a % 2 * 3", "((A % 2) * 3)"),
    ("(1 + 2) * 3", "((1 + 2) * 3)"),
    ("a || b + c", "(A || (B + C))"),
    ("a + b || c", "((A + B) || C)"),
    ("-a * b", "(-A * B)"),
    ("- -a", "--A"),
    ("a - -1", "(A - -1)"),
    ("a + b > c * 2", "((A + B) > (C * 2))"),
    ("a BETWEEN 1 AND 2 AND b", "((A BETWEEN 1 AND 2) AND B)"),
    ("a NOT BETWEEN b - 1 AND b + 1", "(A NOT BETWEEN (B - 1) AND (B + 1))"),
    ("a IN (1, 2, 3)", "(A IN (1, 2, 3))"),
    ("a NOT IN ('x')", "(A NOT IN ('x'))"),
    ("a LIKE 'x%' ESCAPE '!'", "(A LIKE 'x%' ESCAPE '!')"),
    ("a NOT LIKE 'x%'", "(A NOT LIKE 'x%')"),
    ("a IS NULL", "(A IS NULL)"),
    ("a IS NOT NULL OR b IS NULL", "((A IS NOT NULL) OR (B IS NULL))"),
    ("a IS DISTINCT FROM b", "(A IS DISTINCT FROM B)"),
    ("a IS NOT DISTINCT FROM b", "(A IS NOT DISTINCT FROM B)"),
    ("a <> b", "(A <> B)"),
    ("a != b", "(A != B)"),
    ("a <= b", "(A <= B)"),
    ("a >= b", "(A >= B)"),
])
def test_precedence(text, formatted):
    assert format_expression(parse_expression(text)) == formatted


def test_postfix_binds_tighter_than_unary_minus():
    assert parse_expression("-a[1]") == ast.UnaryOp("-", ast.Subscript(col("A"), i(1)))


def test_dereference_and_subscript_chain():
    e = parse_expression("s.a->b[2]['k']->c")
    assert e == ast.Dereference(
        ast.Subscript(ast.Subscript(ast.Dereference(col("A", "S"), "B"), i(2)),
                      lit("k", types.STRING)), "C")


def test_unquoted_names_upper_cased_and_quoted_kept():
    assert parse_expression("foo") == col("FOO")
    assert parse_expression("`Foo`") == col("Foo")
    assert parse_expression('"Foo"') == col("Foo")
    assert parse_expression("`a``b`") == col("a`b")
    assert parse_expression("t.`x`") == col("x", "T")


@pytest.mark.parametrize("name", ["KEY", "VALUE", "SIZE", "TIMESTAMP", "DATE", "TYPE", "FORMAT",
                                  "ROWTIME", "WINDOWSTART", "TOPIC", "STREAM", "SESSION"])
def test_keywords_usable_as_column_names(name):
    assert parse_expression(name.lower() + " + 1") == ast.BinaryOp("+", col(name), i(1))


def test_function_call_count_star_and_distinct():
    assert parse_expression("count(*)") == ast.FunctionCall("COUNT", star=True)
    assert parse_expression("COUNT_DISTINCT(x)") == ast.FunctionCall("COUNT_DISTINCT", (col("X"),))
    assert parse_expression("f()") == ast.FunctionCall("F")


def test_time_unit_arguments():
    e = parse_expression("TIMESTAMPADD(SECONDS, 5, ts)")
    assert e.args == (ast.TimeUnit("SECONDS"), i(5), col("TS"))
    assert parse_expression("DATEADD(DAY, 1, d)").args[0] == ast.TimeUnit("DAYS")


def test_lambdas():
    e = parse_expression("TRANSFORM(arr, x => x * 2)")
    assert e.args[1] == ast.Lambda(("X",), ast.BinaryOp("*", col("X"), i(2)))
    e = parse_expression("REDUCE(arr, 0, (s, x) => s + x)")
    assert e.args[2] == ast.Lambda(("S", "X"), ast.BinaryOp("+", col("S"), col("X")))
    e = parse_expression("FILTER(m, (k, v) => v > 1)")
    assert e.args[1].params == ("K", "V")


def test_parenthesised_expression_argument_is_not_a_lambda():
    e = parse_expression("ABS((a))")
    assert e.args == (col("A"),)


def test_constructors():
    assert parse_expression("ARRAY[1, 2]") == ast.ArrayConstructor((i(1), i(2)))
    assert parse_expression("ARRAY[]") == ast.ArrayConstructor(())
    assert parse_expression("MAP('a' := 1)") == ast.MapConstructor(
        ((lit("a", types.STRING), i(1)),))
    assert parse_expression("STRUCT(f := 1, `g` := 'x')") == ast.StructConstructor(
        (("F", i(1)), ("g", lit("x", types.STRING))))


def test_case_searched_and_simple():
    e = parse_expression("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END")
    assert e.operand is None and len(e.whens) == 2 and e.default == lit("z", types.STRING)
    e = parse_expression("CASE a WHEN 1 THEN 'one' END")
    assert e.operand == col("A") and e.default is None


def test_cast_and_typed_literal():
    assert parse_expression("CAST(a AS DECIMAL(5, 2))") == ast.Cast(col("A"), types.decimal(5, 2))
    assert parse_expression("DATE '2020-01-02'") == ast.Cast(
        lit("2020-01-02", types.STRING), types.DATE)


def test_positions_point_at_first_token():
    e = parse_expression("a +\n  f(b)")
    assert (e.pos.line, e.pos.column) == (1, 1)
    assert (e.right.pos.line, e.right.pos.column) == (2, 3)


@pytest.mark.parametrize("text, expected", [
    ("INT", types.INTEGER), ("integer", types.INTEGER), ("BIGINT", types.BIGINT),
    ("VARCHAR", types.STRING), ("STRING", types.STRING), ("BOOLEAN", types.BOOLEAN),
    ("DOUBLE", types.DOUBLE), ("BYTES", types.BYTES), ("TIMESTAMP", types.TIMESTAMP),
    ("DATE", types.DATE), ("TIME", types.TIME), ("DECIMAL(10, 2)", types.decimal(10, 2)),
    ("ARRAY<INT>", types.array(types.INTEGER)),
    ("MAP<STRING, ARRAY<DOUBLE>>", types.map_of(types.STRING, types.array(types.DOUBLE))),
    ("STRUct<a INT, `b` STRUCT<c STRING>>",
     types.struct([("A", types.INTEGER), ("b", types.struct([("C", types.STRING)]))])),
    ("STRUCT<>", types.struct([])),
    ("ADDRESS", types.named("ADDRESS")),
    ("VARCHAR(STRING)", types.STRING),
])
def test_types(text, expected):
    assert parse_type(text) == expected


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    with pytest.raises(KsqlSyntaxError, match="nested too deeply"):
        parse_expression("(" * 3000 + "1" + ")" * 3000)
    with pytest.raises(KsqlSyntaxError):
        parse_type("ARRAY<" * 3000 + "INT" + ">" * 3000)
