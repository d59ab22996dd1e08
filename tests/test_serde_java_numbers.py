"""Java number text: Double.toString, the strict parsers, ensureFit."""

from decimal import Decimal

import pytest

from ksql_magic.serde import java_numbers as jn

DOUBLE_TEXT = [
    (1.0, "1.0"), (0.0, "0.0"), (-0.0, "-0.0"), (100.0, "100.0"), (0.001, "0.001"),
    (0.0001, "1.0E-4"), (1.234e-5, "1.234E-5"), (9999999.0, "9999999.0"),
    (10000000.0, "1.0E7"), (12345678.9, "1.23456789E7"), (1e21, "1.0E21"),
    (-2.5e-7, "-2.5E-7"), (123.456, "123.456"), (0.1 + 0.2, "0.30000000000000004"),
    (float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
    (1.7976931348623157e308, "1.7976931348623157E308"),
]


@pytest.mark.parametrize("value,text", DOUBLE_TEXT)
def test_java_double_str_matches_double_to_string(value, text):
    assert jn.java_double_str(value) == text


@pytest.mark.parametrize("value,text", [
    (5e-324, "4.9E-324"), (-5e-324, "-4.9E-324"), (1e-323, "9.9E-324"), (7e-323, "6.9E-323"),
])
def test_one_digit_subnormal_prints_closest_two_digit_decimal(value, text):
    assert jn.java_double_str(value) == text


@pytest.mark.parametrize("value,text", [(1e23, "1.0E23"), (1e-5, "1.0E-5"), (2e-323, "2.0E-323")])
def test_one_digit_value_keeps_trailing_zero_when_that_is_closest(value, text):
    assert jn.java_double_str(value) == text


def test_two_digit_choice_still_reads_back_as_the_same_double():
    for k in range(1, 200):
        value = k * 5e-324
        assert float(jn.java_double_str(value)) == value


@pytest.mark.parametrize("text,value", [
    ("12", 12), ("-7", -7), ("+3", 3), ("2147483647", 2147483647)])
def test_parse_int_accepts_java_integers(text, value):
    assert jn.parse_int(text) == value


@pytest.mark.parametrize("text", ["", " 1", "1.0", "2147483648", "0x10", "1e3"])
def test_parse_int_rejects_what_integer_parseint_rejects(text):
    with pytest.raises(ValueError):
        jn.parse_int(text)


def test_parse_long_takes_64_bits():
    assert jn.parse_int("9223372036854775807", 64) == 2 ** 63 - 1
    with pytest.raises(ValueError):
        jn.parse_int("9223372036854775808", 64)


@pytest.mark.parametrize("text,value", [
    ("1.5", 1.5), (" 2 ", 2.0), ("1e3", 1000.0), ("3d", 3.0), ("-Infinity", float("-inf")),
    (".5f", 0.5), ("0x1p4", 16.0)])
def test_parse_double_follows_double_parsedouble(text, value):
    assert jn.parse_double(text) == value


def test_parse_double_reads_nan():
    assert jn.parse_double("NaN") != jn.parse_double("NaN")


@pytest.mark.parametrize("text", ["", "abc", "1,5", "inf", "nan"])
def test_parse_double_rejects_non_java_text(text):
    with pytest.raises(ValueError):
        jn.parse_double(text)


def test_parse_boolean_is_true_only_for_true_in_any_case():
    assert jn.parse_boolean("TrUe") is True
    assert jn.parse_boolean("yes") is False


def test_wrap_narrows_like_java_casts():
    assert jn.wrap(2 ** 31, 32) == -(2 ** 31)
    assert jn.wrap(2 ** 64 + 5, 64) == 5


def test_ensure_fit_pads_to_the_column_scale():
    assert str(jn.ensure_fit(Decimal("12.0"), 6, 4)) == "12.0000"


def test_ensure_fit_refuses_to_round():
    with pytest.raises(ValueError, match="without rounding"):
        jn.ensure_fit(Decimal("1.234"), 4, 2)


def test_ensure_fit_rejects_overflow():
    with pytest.raises(ValueError, match="Numeric field overflow"):
        jn.ensure_fit(Decimal("100.5"), 4, 2)


def test_ensure_fit_handles_precision_38():
    d = Decimal("1234567890123456789012345678.9012345678")
    assert jn.ensure_fit(d, 38, 10) == d
