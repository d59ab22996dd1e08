"""Aggregate and table functions."""

import pytest

from ksql_magic import types as t
from ksql_magic.errors import KsqlStatementError
from ksql_magic.functions.registry import NOT_CONSTANT, NotConstant, default_registry

REG = default_registry()


def run(name, types, consts, rows):
    agg = REG.resolve_aggregate(name, types, consts)
    acc = agg.initialize()
    for r in rows:
        acc = agg.aggregate(acc, *r)
    return agg, acc


def test_count_star_counts_rows_and_count_col_skips_nulls():
    agg, acc = run("count", [], [], [(), (), ()])
    assert agg.value_args == 0 and agg.result(acc) == 3
    agg, acc = run("count", [t.STRING], [NOT_CONSTANT], [("a",), (None,)])
    assert agg.result(acc) == 1 and agg.return_type == t.BIGINT


def test_sum_int_wraps_and_undoes():
    agg, acc = run("sum", [t.INTEGER], [NOT_CONSTANT], [(2 ** 31 - 1,), (1,), (None,)])
    assert agg.return_type == t.INTEGER and agg.result(acc) == -2 ** 31
    assert agg.result(agg.undo(acc, 1)) == 2 ** 31 - 1


def test_avg_returns_double():
    agg, acc = run("avg", [t.BIGINT], [NOT_CONSTANT], [(1,), (2,), (None,)])
    assert agg.return_type == t.DOUBLE and agg.result(acc) == 1.5


def test_min_max_skip_nulls_and_cannot_undo():
    agg, acc = run("max", [t.STRING], [NOT_CONSTANT], [("b",), (None,), ("c",), ("a",)])
    assert agg.result(acc) == "c" and not agg.supports_undo


def test_collect_list_result_is_not_aliased():
    agg, acc = run("collect_list", [t.INTEGER], [NOT_CONSTANT], [(1,), (None,)])
    out = agg.result(acc)
    agg.aggregate(acc, 5)
    assert out == [1, None] and agg.return_type == t.array(t.INTEGER)


def test_collect_set_dedupes():
    agg, acc = run("collect_set", [t.STRING], [NOT_CONSTANT], [("x",), ("y",), ("x",)])
    assert agg.result(acc) == ["x", "y"]


def test_topk_keeps_largest_first():
    agg, acc = run("topk", [t.INTEGER, t.INTEGER], [NOT_CONSTANT, 2], [(5,), (9,), (1,), (7,)])
    assert agg.result(acc) == [9, 7]


def test_topkdistinct():
    agg, acc = run("topkdistinct", [t.INTEGER, t.INTEGER], [NOT_CONSTANT, 2],
                   [(5,), (5,), (4,)])
    assert agg.result(acc) == [5, 4]


def test_latest_by_offset_n_with_nulls():
    agg, acc = run("latest_by_offset", [t.STRING, t.INTEGER, t.BOOLEAN],
                   [NOT_CONSTANT, 2, False], [("a",), ("b",), (None,)])
    assert agg.result(acc) == ["b", None] and agg.return_type == t.array(t.STRING)


def test_earliest_by_offset_ignores_nulls_by_default():
    agg, acc = run("earliest_by_offset", [t.STRING], [NOT_CONSTANT], [(None,), ("q",), ("r",)])
    assert agg.result(acc) == "q"


def test_non_constant_parameter_is_rejected():
    with pytest.raises(KsqlStatementError, match="must be a literal constant"):
        REG.resolve_aggregate("topk", [t.INTEGER, t.INTEGER], [NOT_CONSTANT, NotConstant("X")])


def test_histogram_counts_and_undo():
    agg, acc = run("histogram", [t.STRING], [NOT_CONSTANT], [("a",), ("b",), ("a",)])
    assert agg.result(agg.undo(acc, "b")) == {"a": 2}


def test_attr_null_counts_as_a_value():
    agg, acc = run("attr", [t.STRING], [NOT_CONSTANT], [(None,), ("z",)])
    assert agg.result(acc) is None


def test_stddev_samp_matches_sample_variance():
    agg, acc = run("stddev_sample", [t.DOUBLE], [NOT_CONSTANT], [(1.0,), (3.0,)])
    assert agg.result(acc) == 2.0


def test_correlation_of_perfect_line():
    agg, acc = run("correlation", [t.DOUBLE, t.DOUBLE], [NOT_CONSTANT] * 2,
                   [(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)])
    assert abs(agg.result(acc) - 1.0) < 1e-12 and agg.value_args == 2


def test_count_merge_for_sessions():
    agg = REG.resolve_aggregate("count", [], [])
    assert agg.merge(2, 3) == 5


def test_explode_and_cube_explode():
    ex = REG.resolve_table("explode", [t.array(t.STRING)])
    assert ex.fn(["a", "b"]) == ["a", "b"] and ex.fn(None) == [] and ex.return_type == t.STRING
    cube = REG.resolve_table("cube_explode", [t.array(t.INTEGER)])
    # ksqlDB emits the all-NULL grouping first
    assert cube.fn([1, 2]) == [[None, None], [None, 2], [1, None], [1, 2]]


def test_explode_rejects_map_with_alternatives():
    with pytest.raises(KsqlStatementError, match="Valid alternatives are"):
        REG.resolve_table("explode", [t.map_of(t.STRING, t.INTEGER)])


def test_collect_list_limit_property_caps_the_list():
    agg = REG.resolve_aggregate("collect_list", [t.STRING], [NOT_CONSTANT])
    agg.configure({"ksql.functions.collect_list.limit": "2"})
    acc = agg.initialize()
    for v in ("p", "q", "r"):
        acc = agg.aggregate(acc, v)
    assert agg.result(acc) == ["p", "q"]
    assert agg.merge(["p"], ["s", "u"]) == ["p", "s"]


def test_collect_set_reads_its_own_limit_property():
    agg = REG.resolve_aggregate("collect_set", [t.INTEGER], [NOT_CONSTANT])
    agg.configure({"ksql.functions.collect_list.limit": "1",
                   "ksql.functions.collect_set.limit": "2"})
    acc = agg.initialize()
    for v in (4, 4, 6, 8):
        acc = agg.aggregate(acc, v)
    assert agg.result(acc) == [4, 6]


def test_negative_collect_limit_means_unlimited():
    agg = REG.resolve_aggregate("collect_list", [t.INTEGER], [NOT_CONSTANT])
    agg.configure({"ksql.functions.collect_list.limit": "-1"})
    acc = agg.initialize()
    for v in range(1500):
        acc = agg.aggregate(acc, v)
    assert len(agg.result(acc)) == 1500


def test_non_numeric_collect_limit_is_rejected():
    agg = REG.resolve_aggregate("collect_list", [t.INTEGER], [NOT_CONSTANT])
    with pytest.raises(KsqlStatementError, match="collect_list.limit"):
        agg.configure({"ksql.functions.collect_list.limit": "lots"})


def test_collect_list_undo_removes_the_last_occurrence():
    agg, acc = run("collect_list", [t.STRING], [NOT_CONSTANT], [("m",), ("n",), ("m",)])
    assert agg.result(agg.undo(acc, "m")) == ["m", "n"]


def test_sum_list_adds_elements_skipping_nulls():
    agg, acc = run("sum_list", [t.array(t.BIGINT)], [NOT_CONSTANT],
                   [([4, None, 6],), (None,), ([10],)])
    assert agg.return_type == t.BIGINT and agg.result(acc) == 20
    assert agg.result(agg.undo(acc, [10])) == 10


def test_sum_list_of_ints_wraps_like_java():
    agg, acc = run("sum_list", [t.array(t.INTEGER)], [NOT_CONSTANT], [([2 ** 31 - 1, 2],)])
    assert agg.return_type == t.INTEGER and agg.result(acc) == -2 ** 31 + 1


def test_sum_list_rejects_a_plain_number():
    with pytest.raises(KsqlStatementError, match="does not accept parameters"):
        REG.resolve_aggregate("sum_list", [t.INTEGER], [NOT_CONSTANT])


def test_topk_with_other_columns_returns_structs_ordered_by_sort_col():
    agg, acc = run("topk", [t.DOUBLE, t.STRING, t.BOOLEAN, t.INTEGER],
                   [NOT_CONSTANT, NOT_CONSTANT, NOT_CONSTANT, 2],
                   [(1.5, "low", True), (None, "skipped", False), (8.0, "high", None),
                    (1.5, "tie", False)])
    assert agg.value_args == 3
    assert agg.return_type == t.array(t.struct([("sort_col", t.DOUBLE), ("col0", t.STRING),
                                                ("col1", t.BOOLEAN)]))
    assert agg.result(acc) == [{"sort_col": 8.0, "col0": "high", "col1": None},
                               {"sort_col": 1.5, "col0": "low", "col1": True}]


def test_topk_with_other_columns_needs_a_literal_k_last():
    with pytest.raises(KsqlStatementError, match="Parameter 3 passed to function TOPK"):
        REG.resolve_aggregate("topk", [t.INTEGER, t.STRING, t.INTEGER],
                              [NOT_CONSTANT, NOT_CONSTANT, NotConstant("N")])
