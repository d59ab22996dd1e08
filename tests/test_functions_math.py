"""Math functions and GREATEST/LEAST resolution."""

import math
from decimal import Decimal

import pytest

from ksql_magic import types as t
from ksql_magic.errors import KsqlStatementError
from ksql_magic.functions.registry import default_registry

REG = default_registry()


def fn(name, *types):
    return REG.resolve_scalar(name, list(types)).fn


def test_abs_int_wraps_like_java():
    assert fn("abs", t.INTEGER)(-2 ** 31) == -2 ** 31


def test_round_double_half_toward_positive_infinity():
    r = fn("round", t.DOUBLE)
    assert (r(2.5), r(-2.5), r(-2.6)) == (3, -2, -3)


def test_round_double_with_scale_returns_double():
    assert fn("round", t.DOUBLE, t.INTEGER)(987.654, -1) == 990.0


def test_round_decimal_drops_scale():
    res = REG.resolve_scalar("round", [t.decimal(6, 3)])
    assert res.return_type == t.decimal(3, 0) and res.fn(Decimal("12.500")) == Decimal("13")


def test_round_decimal_with_scale_keeps_type():
    res = REG.resolve_scalar("round", [t.decimal(6, 3), t.INTEGER])
    assert res.return_type == t.decimal(6, 3) and str(res.fn(Decimal("1.255"), 2)) == "1.260"


def test_trunc_double_to_bigint():
    assert fn("trunc", t.DOUBLE)(-7.9) == -7


def test_ln_of_zero_is_negative_infinity():
    assert fn("ln", t.DOUBLE)(0.0) == -math.inf


def test_sqrt_of_negative_is_nan():
    assert math.isnan(fn("sqrt", t.BIGINT)(-4))


def test_power_follows_java_for_zero_base():
    assert fn("power", t.DOUBLE, t.DOUBLE)(0.0, -1.0) == math.inf


def test_sign_returns_integer():
    res = REG.resolve_scalar("sign", [t.DOUBLE])
    assert res.return_type == t.INTEGER and res.fn(-0.2) == -1


def test_math_null_in_null_out():
    assert fn("exp", t.DOUBLE)(None) is None


def test_geo_distance_in_miles():
    d = fn("geo_distance", t.DOUBLE, t.DOUBLE, t.DOUBLE, t.DOUBLE, t.STRING)(0, 0, 0, 1, "mi")
    assert abs(d - 69.09) < 0.01


def test_greatest_ignores_nulls():
    assert fn("greatest", t.BIGINT, t.BIGINT, t.NULL)(4, 9, None) == 9


def test_least_mixed_with_double_resolves_to_double():
    assert REG.resolve_scalar("least", [t.INTEGER, t.DOUBLE]).return_type == t.DOUBLE


def test_greatest_int_and_bigint_is_ambiguous():
    with pytest.raises(KsqlStatementError, match="ambiguous method parameters"):
        REG.resolve_scalar("greatest", [t.INTEGER, t.BIGINT])


def test_least_reads_string_as_date():
    assert fn("least", t.DATE, t.STRING)(20000, "1970-01-11") == 10


def test_greatest_of_decimals_widens_the_type_but_keeps_the_winners_scale():
    res = REG.resolve_scalar("greatest", [t.decimal(8, 1), t.decimal(5, 4)])
    assert res.return_type == t.decimal(11, 4)
    assert res.param_types == [t.decimal(8, 1), t.decimal(5, 4)]
    out = res.fn(Decimal("4321.5"), Decimal("2.2500"))
    assert out == Decimal("4321.5") and out.as_tuple().exponent == -1


def test_least_of_decimals_returns_the_smaller_as_given():
    out = fn("least", t.decimal(8, 1), t.decimal(5, 4))(Decimal("4321.5"), Decimal("2.2500"))
    assert str(out) == "2.2500"
