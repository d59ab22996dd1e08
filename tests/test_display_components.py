"""Display pieces on their own: row models, HTML, status line, chart plans, errors."""

from types import SimpleNamespace

import pytest

from ksql_magic.display import DisplayOptions, ErrorView
from ksql_magic import rendering as fmt
from ksql_magic.display.chart import LiveChart, plan_chart
from ksql_magic.display.statement_info import having_threshold
from ksql_magic.display.model import StreamRows, TableRows
from ksql_magic.display.status import status_html, status_text
from ksql_magic.errors import KsqlSyntaxError
from ksql_magic.results import Change

FRAUD = SimpleNamespace(columns=["CARD_NUMBER", "WINDOWSTART", "WINDOWEND", "KSQL_COL_0"],
                        key_columns=["CARD_NUMBER"], is_table=True, windowed=True)
STREAM = SimpleNamespace(columns=["ROWTIME", "ID", "AMOUNT"], key_columns=[],
                         is_table=False, windowed=False)
COUNTS = SimpleNamespace(columns=["PAGE", "N"], key_columns=["PAGE"], is_table=True,
                         windowed=False)


def test_stream_rows_keep_the_newest():
    rows = StreamRows(["A"], max_rows=3)
    rows.apply([Change("append", (), {"A": i}) for i in range(10)])
    assert rows.snapshot() == [[7], [8], [9]] and rows.total == 10


def test_table_rows_upsert_in_place():
    rows = TableRows(["K", "V"], 100)
    rows.apply([Change("upsert", ("a",), {"K": "a", "V": 1}),
                Change("upsert", ("b",), {"K": "b", "V": 1}),
                Change("upsert", ("a",), {"K": "a", "V": 2})])
    assert rows.snapshot() == [["a", 2], ["b", 1]]


def test_table_rows_delete_on_tombstone():
    rows = TableRows(["K", "V"], 100)
    rows.apply([Change("upsert", ("a",), {"K": "a", "V": 1}), Change("delete", ("a",), {})])
    assert rows.snapshot() == []


def test_table_rows_are_bounded():
    rows = TableRows(["K"], 2)
    rows.apply([Change("upsert", (i,), {"K": i}) for i in range(5)])
    assert rows.snapshot() == [[3], [4]]


def test_html_escapes_values():
    assert "&lt;b&gt;" in fmt.rows_table(["A"], [["<b>"]], 10)


def test_html_shows_window_bounds_as_utc_times():
    assert "2026-01-01 00:05:00" in fmt.rows_table(["WINDOWSTART"], [[1_767_225_900_000]], 10)


def test_html_shows_null():
    assert "<td>NULL</td>" in fmt.rows_table(["A"], [[None]], 10)


def test_html_newest_last_shows_the_tail():
    html = fmt.rows_table(["A"], [[i] for i in range(50)], 5, newest_last=True)
    assert ">49</td>" in html and ">0</td>" not in html and "newest 5 shown" in html


def test_multiline_message_is_bounded():
    html = fmt.message("\n".join("line %d" % i for i in range(30)), limit=5)
    assert "line 4" in html and "line 5" not in html and "30 lines" in html


def test_status_text_names_every_counter():
    text = status_text({"query_id": "Q1", "state": "RUNNING", "records_in": 1200,
                        "records_out": 3, "rate": 99.5, "stream_time": 1_767_225_600_000,
                        "late_dropped": 2, "deser_errors": 1, "processing_errors": 2,
                        "error": None, "target": "kafka://127.0.0.1:9092",
                        "behind_records": 4500, "behind_seconds": 2.25})
    assert text == ("Q1 · RUNNING · on kafka://127.0.0.1:9092 · in 1,200 · out 3 · "
                    "behind 4,500 rec (2.2 s) · 99.5 rec/s · stream time "
                    "2026-01-01 00:00:00 · late dropped 2 · errors 3")


def test_status_warns_visibly_when_the_query_falls_behind():
    status = {"query_id": "Q1", "state": "RUNNING", "behind_records": 9000,
              "falling_behind": True}
    html = status_html(status)
    assert "⚠ falling behind" in status_text(status) and "data-behind='yes'" in html


def test_status_shows_the_offset_hint_on_its_own_line():
    html = status_html({"query_id": "Q1", "state": "RUNNING",
                        "hint": "SET 'auto.offset.reset'='earliest';"})
    assert "ksql-hint" in html and "auto.offset.reset" in html


def test_windowed_aggregate_charts_windowstart_against_aggregate_by_key():
    plan = plan_chart(FRAUD, DisplayOptions(threshold=3))
    assert (plan.kind, plan.x, plan.y, plan.color, plan.threshold) == (
        "line", "WINDOWSTART", "KSQL_COL_0", "CARD_NUMBER", 3)


def test_plain_stream_gets_no_chart_by_default():
    assert plan_chart(STREAM, DisplayOptions()) is None


def test_chart_option_charts_a_stream_over_rowtime():
    plan = plan_chart(STREAM, DisplayOptions(chart="point", y="amount"))
    assert (plan.x, plan.x_type, plan.y) == ("ROWTIME", "temporal", "AMOUNT")


def test_non_windowed_table_gets_bars_per_key():
    plan = plan_chart(COUNTS, DisplayOptions())
    assert (plan.kind, plan.x, plan.x_type, plan.y) == ("bar", "PAGE", "nominal", "N")


def test_unknown_chart_column_names_the_columns():
    with pytest.raises(ValueError, match="CARD_NUMBER"):
        plan_chart(FRAUD, DisplayOptions(y="nope"))


def test_live_chart_update_replaces_data_and_time_axis_only():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions(threshold=3)), FRAUD.columns, 2)
    before = {k: v for k, v in chart.widget.spec.items() if k not in ("data", "layer")}
    chart.update([["a", 0, 1, 4], ["b", 0, 1, 5], ["c", 0, 1, 6]])
    assert chart.widget.spec["data"]["values"] == [
        {"WINDOWSTART": 0, "KSQL_COL_0": 5, "CARD_NUMBER": "b"},
        {"WINDOWSTART": 0, "KSQL_COL_0": 6, "CARD_NUMBER": "c"}]
    assert {k: v for k, v in chart.widget.spec.items() if k not in ("data", "layer")} == before


def x_axis(chart):
    return chart.widget.spec["layer"][0]["encoding"]["x"]["axis"]


def test_daily_windows_label_the_axis_with_dates_not_midnight():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions()), FRAUD.columns, 100)
    day = 86_400_000
    chart.update([["a", i * day, (i + 1) * day, i] for i in range(5)])
    assert x_axis(chart)["format"] == "%Y-%m-%d" and x_axis(chart)["tickMinStep"] == day


def test_minute_windows_label_the_axis_with_minutes():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions()), FRAUD.columns, 100)
    chart.update([["a", i * 60_000, (i + 1) * 60_000, i] for i in range(5)])
    assert x_axis(chart)["format"] == "%H:%M"


def test_a_span_of_seconds_labels_the_axis_with_seconds():
    chart = LiveChart(plan_chart(STREAM, DisplayOptions(chart="point", y="amount")),
                      STREAM.columns, 100)
    chart.update([[i * 1000, "x", 1.0] for i in range(10)])
    assert x_axis(chart)["format"] == "%H:%M:%S" and "tickMinStep" not in x_axis(chart)


def test_live_chart_draws_threshold_rule():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions(threshold=3)), FRAUD.columns, 10)
    assert chart.widget.spec["layer"][1]["mark"]["type"] == "rule"


def test_live_chart_bundles_vega_instead_of_fetching_it():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions()), FRAUD.columns, 10)
    assert len(chart.widget._esm) > 500_000 and "https://cdn" not in chart.widget._esm


@pytest.mark.parametrize("sql, expected", [
    ("SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY k "
     "HAVING COUNT(*) >= 3 EMIT CHANGES;", 3.0),
    ("CREATE TABLE t AS SELECT k, SUM(x) FROM s GROUP BY k HAVING SUM(x) > 2.5;", 2.5),
    ("SELECT * FROM s EMIT CHANGES;", None),
    ("SELEC nonsense", None),
])
def test_having_threshold(sql, expected):
    assert having_threshold(sql) == expected


def test_error_view_offsets_the_position_to_the_cell():
    err = KsqlSyntaxError("Syntax Error", 1, 3, "SELEC x;")
    view = ErrorView(err, line_offset=4, column_offset=2)
    assert view.text() == "line 5:5: Syntax Error\nSELEC x;\n  ^"


def test_error_view_without_position_is_just_the_message():
    assert ErrorView(KsqlSyntaxError("boom")).text() == "boom"


def test_tables_align_text_left_and_numbers_right_over_jupyterlab_rules():
    html = fmt.rows_table(["NAME", "N", "WINDOWSTART", "OK"], [["a", 3, 0, True]], 10)
    assert "<td>a</td><td class='ksql-num'>3</td><td>1970-01-01 00:00:00</td><td>True</td>" in html
    assert "text-align:left !important" in html and "td.ksql-num{text-align:right !important}" in html


def test_engine_results_render_with_the_same_table_style():
    from ksql_magic.results import Result
    html = Result("table", columns=["Kafka Topic", "Partitions"], rows=[["t", 1]])._repr_html_()
    assert "class='ksql-rows'" in html and "<td class='ksql-num'>1</td>" in html


def test_windowed_push_query_rows_show_their_window_bounds():
    from ksql_magic.display.model import rows_for
    handle = SimpleNamespace(columns=["CARD", "N"], key_columns=["CARD"], is_table=True,
                             windowed=True)
    rows = rows_for(handle, 10)
    rows.apply([Change("upsert", ("a", 0, 300_000), {"CARD": "a", "N": 1}),
                Change("upsert", ("a", 300_000, 600_000), {"CARD": "a", "N": 2})])
    assert rows.columns == ["CARD", "WINDOWSTART", "WINDOWEND", "N"]
    assert rows.snapshot() == [["a", 0, 300_000, 1], ["a", 300_000, 600_000, 2]]


def test_chart_with_many_keys_draws_the_top_ones_and_says_how_many_are_hidden():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions(chart_keys=3)), FRAUD.columns, 1000)
    rows = [["card-%02d" % i, w * 300_000, (w + 1) * 300_000, i if w else 99 - i]
            for i in range(30) for w in range(2)]
    chart.update(rows)
    cards = {v["CARD_NUMBER"] for v in chart.widget.spec["data"]["values"]}
    assert cards == {"card-29", "card-28", "card-27"}        # highest in the latest window
    assert "top 3 CARD_NUMBER" in chart.widget.spec["title"]["text"]
    assert "27 more hidden" in chart.widget.spec["title"]["text"]


def test_chart_with_few_keys_hides_none_and_has_no_caption():
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions(chart_keys=3)), FRAUD.columns, 1000)
    chart.update([["a", 0, 1, 4], ["b", 0, 1, 5]])
    assert len(chart.widget.spec["data"]["values"]) == 2 and "title" not in chart.widget.spec


def test_chart_titles_a_generated_column_with_its_expression_and_suggests_an_alias():
    names = (("KSQL_COL_0", "COUNT(*)"),)
    chart = LiveChart(plan_chart(FRAUD, DisplayOptions(names=names)), FRAUD.columns, 100)
    chart.update([["a", 0, 1, 4]])
    assert chart.widget.spec["layer"][0]["encoding"]["y"]["title"] == "COUNT(*)"
    assert "KSQL_COL_0 is COUNT(*): name it with COUNT(*) AS name" in chart.widget.spec["title"]["text"]


@pytest.mark.parametrize("sql, expected", [
    ("SELECT card, COUNT(*) FROM a GROUP BY card EMIT CHANGES;", {"KSQL_COL_0": "COUNT(*)"}),
    ("SELECT card, COUNT(*) AS n, SUM(x) FROM a GROUP BY card EMIT CHANGES;",
     {"KSQL_COL_0": "SUM(X)"}),
    ("SELECT card, x FROM a EMIT CHANGES;", {}),
])
def test_generated_names_map_ksql_col_to_the_expression(sql, expected):
    from ksql_magic.display.statement_info import generated_names
    assert generated_names(sql) == expected
