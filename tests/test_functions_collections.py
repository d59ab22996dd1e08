"""Array, map, lambda, JSON, URL and regex functions."""

from decimal import Decimal

from ksql_magic import types as t
from ksql_magic.functions.registry import default_registry

REG = default_registry()
AI = t.array(t.INTEGER)
AS = t.array(t.STRING)
MSI = t.map_of(t.STRING, t.INTEGER)


def fn(name, *types):
    return REG.resolve_scalar(name, list(types)).fn


def test_array_contains_null_array_is_false():
    assert fn("array_contains", AI, t.INTEGER)(None, 1) is False


def test_set_operations_keep_first_order_and_dedupe():
    assert fn("array_union", AI, AI)([3, 1, 3], [2, 1]) == [3, 1, 2]
    assert fn("array_except", AI, AI)([3, 1, 3, 2], [2]) == [3, 1]
    assert fn("array_intersect", AI, AI)([3, 1, 3, 2], [2, 3]) == [3, 2]


def test_array_sort_descending_nulls_last():
    assert fn("array_sort", AI, t.STRING)([2, None, 5], "desc") == [5, 2, None]


def test_array_join_prints_java_values():
    assert fn("array_join", t.array(t.DOUBLE), t.STRING)([1.0, None], "|") == "1.0|null"


def test_array_remove_complex_elements():
    f = fn("array_remove", t.array(AI), AI)
    assert f([[1], [2], [1]], [1]) == [[2]]


def test_slice_is_one_based_inclusive():
    assert fn("slice", AS, t.INTEGER, t.INTEGER)(["a", "b", "c", "d"], 2, 3) == ["b", "c"]


def test_generate_series_counts_down():
    assert fn("generate_series", t.INTEGER, t.INTEGER)(2, -1) == [2, 1, 0, -1]


def test_entries_sorted_structs():
    assert fn("entries", MSI, t.BOOLEAN)({"b": 2, "a": 1}, True) == [
        {"K": "a", "V": 1}, {"K": "b", "V": 2}]


def test_map_union_right_wins():
    assert fn("map_union", MSI, MSI)({"a": 1}, {"a": 2, "b": 3}) == {"a": 2, "b": 3}


def test_as_map_pairs_keys_and_values():
    assert fn("as_map", AS, AI)(["x", "y"], [7, 8]) == {"x": 7, "y": 8}


def test_transform_and_filter_call_lambdas():
    lam = t.lambda_of([t.INTEGER], t.INTEGER)
    assert fn("transform", AI, lam)([1, 2], lambda x: x * 10) == [10, 20]
    pred = t.lambda_of([t.STRING, t.INTEGER], t.BOOLEAN)
    assert fn("filter", MSI, pred)({"a": 1, "b": 2}, lambda k, v: v > 1) == {"b": 2}


def test_reduce_null_array_returns_initial_state():
    lam = t.lambda_of([t.INTEGER, t.INTEGER], t.INTEGER)
    assert fn("reduce", AI, t.INTEGER, lam)(None, 5, lambda s, x: s + x) == 5


def test_extractjsonfield_nested_and_missing():
    f = fn("extractjsonfield", t.STRING, t.STRING)
    doc = '{"a": {"b": [10, {"c": "deep"}]}}'
    assert f(doc, "$.a.b[1].c") == "deep"
    assert f(doc, "$.a.b[0]") == "10"
    assert f(doc, "$.zz") is None


def test_json_concat_merges_objects_and_flattens_arrays():
    f = fn("json_concat", t.STRING, t.STRING)
    assert f('{"a": 1}', '{"b": [true]}') == '{"a":1,"b":[true]}'
    assert f("[1]", '"x"') == '[1,"x"]'


def test_json_keys_and_records():
    assert fn("json_keys", t.STRING)('{"p": 1, "q": null}') == ["p", "q"]
    assert fn("json_records", t.STRING)('{"p": {"z": 1.5}}') == {"p": '{"z":1.5}'}


def test_to_json_string_of_struct_with_decimal():
    ty = t.struct([("N", t.decimal(4, 2)), ("D", t.DATE)])
    f = fn("to_json_string", ty)
    assert f({"N": Decimal("1.50"), "D": 0}) == '{"N":1.50,"D":"1970-01-01"}'


def test_is_json_string_rejects_empty():
    assert fn("is_json_string", t.STRING)("") is False


def test_url_extract_parameter_and_port():
    url = "http://h.example:8080/p/a?x=1&y=two%20words#frag"
    assert fn("url_extract_parameter", t.STRING, t.STRING)(url, "y") == "two words"
    assert fn("url_extract_port", t.STRING)(url) == 8080
    assert fn("url_extract_host", t.STRING)(url) == "h.example"


def test_url_encode_param():
    assert fn("url_encode_param", t.STRING)("a b&c") == "a+b%26c"


def test_regexp_extract_group_and_replace_backref():
    assert fn("regexp_extract", t.STRING, t.STRING, t.INTEGER)(r"(\d+)-(\d+)", "x 12-34", 2) == "34"
    assert fn("regexp_replace", t.STRING, t.STRING, t.STRING)("ab", "(a)(b)", "$2$1") == "ba"


def test_coalesce_and_nullif():
    assert fn("coalesce", t.INTEGER, t.INTEGER, t.INTEGER)(None, None, 3) == 3
    assert fn("nullif", t.STRING, t.STRING)("a", "a") is None
    assert fn("ifnull", t.STRING, t.STRING)(None, "d") == "d"
