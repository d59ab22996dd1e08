"""Registry behaviour: lookup, overload resolution, errors, catalogue, UDFs."""

import pytest

from ksql_magic import types as t
from ksql_magic.errors import KsqlStatementError
from ksql_magic.functions.registry import NotConstant, default_registry
from ksql_magic.functions.udfs import udaf, udf


@pytest.fixture(scope="module")
def reg():
    return default_registry()


def test_registry_holds_at_least_100_scalars(reg):
    assert len(reg.names("scalar")) >= 100


def test_kind_is_case_insensitive(reg):
    assert reg.kind("ucase") == "scalar"
    assert reg.kind("Sum") == "aggregate"
    assert reg.kind("explode") == "table"
    assert reg.kind("nope") is None


def test_unknown_function_error(reg):
    with pytest.raises(KsqlStatementError, match="Can't find any functions with the name 'NOPE'"):
        reg.resolve_scalar("nope", [t.STRING])


def test_no_matching_overload_names_the_argument_types(reg):
    with pytest.raises(KsqlStatementError) as e:
        reg.resolve_scalar("timesub", [t.TIME, t.INTEGER, t.TIME])
    assert "Function 'timesub' does not accept parameters (TIME, INTEGER, TIME)." in str(e.value)


def test_integer_argument_widens_to_double_parameter(reg):
    r = reg.resolve_scalar("sqrt", [t.INTEGER])
    assert r.param_types == [t.DOUBLE] and r.return_type == t.DOUBLE


def test_exact_overload_preferred_over_widening(reg):
    assert reg.resolve_scalar("abs", [t.BIGINT]).return_type == t.BIGINT


def test_generic_binds_from_array_element(reg):
    r = reg.resolve_scalar("array_max", [t.array(t.STRING)])
    assert r.return_type == t.STRING


def test_varargs_expand_to_one_param_per_argument(reg):
    r = reg.resolve_scalar("concat", [t.STRING, t.STRING, t.STRING, t.STRING])
    assert len(r.param_types) == 4


def test_lambda_param_types_for_map_transform(reg):
    ps = reg.lambda_param_types("transform", [t.map_of(t.STRING, t.BIGINT), None, None], 2)
    assert ps == [t.STRING, t.BIGINT]


def test_reduce_state_widens_to_lambda_result(reg):
    lam = t.lambda_of([t.INTEGER, t.INTEGER], t.BIGINT)
    r = reg.resolve_scalar("reduce", [t.array(t.INTEGER), t.INTEGER, lam])
    assert r.return_type == t.BIGINT


def test_list_functions_reports_categories(reg):
    cats = dict(reg.list_functions())
    assert cats["LCASE"] == "STRING" and cats["COUNT"] == "AGGREGATE"


def test_describe_lists_variations(reg):
    d = reg.describe("substring")
    assert d["type"] == "SCALAR" and len(d["variations"]) == 4


def test_global_udf_seen_by_new_registries():
    @udf("twice_it", params=["BIGINT"], returns="BIGINT")
    def twice(x):
        return None if x is None else 2 * x

    r = default_registry().resolve_scalar("twice_it", [t.INTEGER])
    assert r.fn(21) == 42 and r.return_type == t.BIGINT


def test_global_udaf_seen_by_new_registries():
    @udaf("product_of", params=["BIGINT"], returns="BIGINT")
    class Product:
        def initialize(self):
            return 1

        def aggregate(self, acc, v):
            return acc * v

        def result(self, acc):
            return acc

    agg = default_registry().resolve_aggregate("product_of", [t.BIGINT], [NotConstant()])
    acc = agg.initialize()
    for v in (2, 3, 7):
        acc = agg.aggregate(acc, v)
    assert agg.result(acc) == 42 and agg.return_type == t.BIGINT


def test_register_udf_null_in_null_out(reg):
    local = default_registry()
    local.register_udf("shout", lambda s: s.upper() + "!", [t.STRING], t.STRING,
                       null_in_null_out=True)
    fn = local.resolve_scalar("shout", [t.STRING]).fn
    assert fn("hey") == "HEY!" and fn(None) is None
    assert reg.kind("shout") is None
