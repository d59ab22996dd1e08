"""%%ksql and %ksql driven through a real IPython shell, against a fake engine."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from fake_engine import FakeEngine
from ksql_magic.display.cell_error import KsqlCellError
from ksql_magic.errors import KsqlError


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    magic = ip.magics_manager.registry["KsqlMagic"]
    magic.use_engine(FakeEngine())
    yield ip
    magic.shutdown()
    ip.run_cell("%config KsqlMagic.displaylimit = 20")


def run(ip, code):
    with capture_output() as out:
        result = ip.run_cell(code)
    return result, out


def html_of(out):
    return "".join(o.data.get("text/html", "") for o in out.outputs)


def engine(ip):
    return ip.magics_manager.registry["KsqlMagic"].engine


def test_ddl_shows_a_one_line_confirmation(shell):
    result, out = run(shell, "%%ksql\nCREATE STREAM s (id INT) WITH (KAFKA_TOPIC='s');")
    assert result.success and "Stream created" in html_of(out) + str(result.result)


def test_each_statement_of_a_cell_runs_in_order(shell):
    run(shell, "%%ksql\nCREATE STREAM a (id INT);\nCREATE STREAM b (id INT);\nSHOW TOPICS;")
    assert [s.split()[2] for s in engine(shell).executed[:2]] == ["a", "b"]


def test_every_result_of_a_cell_is_shown(shell):
    result, out = run(shell, "%%ksql\nCREATE STREAM a (id INT);\nSHOW TOPICS;")
    assert "Stream created" in html_of(out)
    assert result.result.kind == "table"


def test_show_renders_a_table_bounded_by_displaylimit(shell):
    run(shell, "%config KsqlMagic.displaylimit = 5")
    result, _ = run(shell, "%ksql SHOW TOPICS;")
    html = result.result._repr_html_()
    assert html.count("<tr>") == 6 and "30 rows, first 5 shown" in html


def test_limit_option_overrides_displaylimit(shell):
    result, _ = run(shell, "%ksql --limit 3 SHOW TOPICS;")
    assert result.result._repr_html_().count("<tr>") == 4


def test_result_arrow_stores_the_result(shell):
    run(shell, "%%ksql topics <<\nSHOW TOPICS;")
    assert shell.user_ns["topics"].rows[0] == ["t0", 1]


def test_result_arrow_stores_a_list_for_several_statements(shell):
    run(shell, "%%ksql both <<\nCREATE STREAM a (id INT);\nSHOW TOPICS;")
    assert [v.kind for v in shell.user_ns["both"]] == ["message", "table"]


def test_stored_result_converts_to_pandas(shell):
    run(shell, "%%ksql topics <<\nSHOW TOPICS;")
    assert len(shell.user_ns["topics"].to_pandas()) == 30


def test_syntax_error_fails_the_cell_with_caret_not_traceback(shell):
    result, out = run(shell, "%%ksql\nBAD STATEMENT;")
    text = out.stdout + out.stderr
    assert isinstance(result.error_in_exec, KsqlCellError)
    assert "line 1:1: Syntax Error" in text and "^" in text and "Traceback" not in text


def test_failing_statement_raises_a_ksql_error(shell):
    result, _ = run(shell, "%%ksql\nSELECT * FROM missing EMIT CHANGES;")
    assert isinstance(result.error_in_exec, KsqlError)
    assert "MISSING does not exist." in result.error_in_exec.message


def test_continue_option_shows_the_error_and_lets_the_cell_succeed(shell):
    result, out = run(shell, "%%ksql --continue\nBAD STATEMENT;")
    assert result.error_in_exec is None and "line 1:1: Syntax Error" in html_of(out)


def test_stop_on_error_off_keeps_showing_errors_without_failing(shell):
    run(shell, "%config KsqlMagic.stop_on_error = False")
    try:
        result, out = run(shell, "%%ksql\nBAD STATEMENT;")
    finally:
        run(shell, "%config KsqlMagic.stop_on_error = True")
    assert result.error_in_exec is None and "ksql-error" in html_of(out)


def test_error_position_counts_lines_of_the_whole_cell(shell):
    result, _ = run(shell, "%%ksql\nCREATE STREAM a (id INT);\n\nSELECT * FROM missing EMIT CHANGES;")
    assert "line 3:15: MISSING does not exist." in str(result.error_in_exec)


def test_caret_sits_under_the_column(shell):
    _, out = run(shell, "%%ksql --continue\nSELECT * FROM missing EMIT CHANGES;")
    assert "SELECT * FROM missing EMIT CHANGES;\n" + " " * 14 + "^" in html_of(out)


def test_results_before_an_error_are_still_shown(shell):
    result, out = run(shell, "%%ksql\nCREATE STREAM a (id INT);\nBAD;")
    assert "Stream created" in html_of(out) and "Syntax Error" in str(result.error_in_exec)


def test_help_prints_usage(shell):
    _, out = run(shell, "%ksql --help")
    assert "%ksql datagen DOMAIN" in out.stdout


def test_cell_help_prints_usage(shell):
    _, out = run(shell, "%%ksql --help\nSHOW TOPICS;")
    assert "connect kafka://HOST:PORT" in out.stdout


def test_bad_magic_option_fails_the_cell_with_one_line(shell):
    result, out = run(shell, "%%ksql --chart pie\nSHOW TOPICS;")
    assert "invalid choice" in str(result.error_in_exec)
    assert "Traceback" not in out.stdout + out.stderr


def test_config_sets_refresh_rate(shell):
    run(shell, "%config KsqlMagic.refresh_rate = 2.5")
    assert shell.magics_manager.registry["KsqlMagic"].options().interval == 0.4


def test_config_rejects_unknown_chart_kind(shell):
    result, _ = run(shell, "%config KsqlMagic.default_chart = 'pie'")
    assert shell.magics_manager.registry["KsqlMagic"].default_chart == "auto"


def test_engine_subcommand_returns_the_engine(shell):
    result, _ = run(shell, "e = %ksql engine")
    assert shell.user_ns["e"] is engine(shell)
