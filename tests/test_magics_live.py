"""Live queries through the magic: the cell returns at once, a flusher thread updates the
widgets at a bounded rate, Stop / %ksql stop / TERMINATE end it, shutdown leaves no thread."""

import threading
import time

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from fake_engine import FakeEngine

FRAUD = ("%%ksql\nSELECT card_number, COUNT(*) FROM a WINDOW TUMBLING (SIZE 5 MINUTE) "
         "GROUP BY card_number HAVING COUNT(*) > 3 EMIT CHANGES;")


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    ip.run_cell("%config KsqlMagic.refresh_rate = 20")
    magic = ip.magics_manager.registry["KsqlMagic"]
    magic.use_engine(FakeEngine())
    yield ip
    magic.shutdown()
    ip.run_cell("%config KsqlMagic.refresh_rate = 4")


def run(ip, code):
    with capture_output():
        return ip.run_cell(code).result


def eventually(check, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def shown(ip, view):
    with capture_output():
        ip.display_formatter.format(view)
    return view.live


def flusher_threads():
    return [t for t in threading.enumerate() if t.name.startswith("ksql-flusher")]


def test_push_query_cell_returns_at_once(shell):
    run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")       # warm: imports, first widgets
    start = time.monotonic()
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    assert view.kind == "push" and time.monotonic() - start < 1.0


def test_live_table_shows_rows_as_they_arrive(shell):
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    view.handle.push({"ID": 1, "NAME": "alice"})
    assert eventually(lambda: "alice" in live.table.value)
    view.handle.push({"ID": 2, "NAME": "bob"})
    assert eventually(lambda: "bob" in live.table.value)


def test_status_line_shows_query_counters(shell):
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    view.handle.push({"ID": 1, "NAME": "x"})
    assert eventually(lambda: "in 1" in live.status.value and "late dropped 1" in live.status.value)


def test_windowed_aggregate_gets_a_chart_with_the_having_rule(shell):
    live = shown(shell, run(shell, FRAUD))
    assert live.chart is not None
    assert live.chart.plan.x == "WINDOWSTART" and live.chart.plan.threshold == 3.0


def test_chart_data_follows_the_table(shell):
    view = run(shell, FRAUD)
    live = shown(shell, view)
    view.handle.push({"CARD_NUMBER": "c1", "WINDOWSTART": 0, "WINDOWEND": 300000,
                      "KSQL_COL_0": 4}, key=("c1", 0))
    assert eventually(lambda: live.chart.widget.spec["data"]["values"] ==
                      [{"WINDOWSTART": 0, "KSQL_COL_0": 4, "CARD_NUMBER": "c1"}])


def test_table_updates_in_place_by_key(shell):
    view = run(shell, FRAUD)
    live = shown(shell, view)
    for count in (4, 5, 6):
        view.handle.push({"CARD_NUMBER": "c1", "WINDOWSTART": 0, "WINDOWEND": 1,
                          "KSQL_COL_0": count}, key=("c1", 0))
    assert eventually(lambda: live.rows.snapshot() == [["c1", 0, 1, 6]])


def test_chart_none_option_shows_no_chart(shell):
    live = shown(shell, run(shell, FRAUD.replace("%%ksql", "%%ksql --chart none")))
    assert live.chart is None


def test_stop_button_stops_query_and_thread(shell):
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    live.button.click()
    assert view.handle.state == "STOPPED" and live.button.disabled
    assert eventually(lambda: not live.flusher.alive)


def test_stop_by_query_id(shell):
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    shown(shell, view)
    run(shell, "%ksql stop " + view.query_id)
    assert view.handle.state == "STOPPED"


def test_stop_all_stops_every_live_query(shell):
    views = [run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;") for _ in range(3)]
    for v in views:
        shown(shell, v)
    run(shell, "%ksql stop all")
    assert all(v.handle.state == "STOPPED" for v in views)


def test_terminate_ends_the_flusher(shell):
    view = run(shell, "%%ksql\nCREATE TABLE f AS SELECT x FROM s;")
    live = shown(shell, view)
    run(shell, "%%ksql\nTERMINATE " + view.query_id + ";")
    assert eventually(lambda: not live.flusher.alive) and "STOPPED" in live.status.value


def test_update_rate_stays_within_refresh_rate(shell):
    shell.run_cell("%config KsqlMagic.refresh_rate = 5")
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    writes = []
    live.table.observe(lambda change: writes.append(time.monotonic()), "value")
    # A fast stream as the engine's runner delivers it: bursts of rows with short pauses
    # (I/O waits) between them; other tests' threads may share the interpreter meanwhile.
    stop = time.monotonic() + 2.0
    i = 0
    while time.monotonic() < stop:
        for _ in range(200):
            view.handle.push({"ID": i, "NAME": "n"})
            i += 1
        time.sleep(0.01)
    assert i > 10_000 and 5 <= len(writes) <= 11


def test_live_table_keeps_only_the_newest_rows(shell):
    shell.run_cell("%config KsqlMagic.max_rows = 50")
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    for i in range(500):
        view.handle.push({"ID": i, "NAME": "n"})
    assert eventually(lambda: live.rows.total == 500)
    assert live.rows.snapshot()[-1][0] == 499
    assert len(live.rows.snapshot()) == 50
    shell.run_cell("%config KsqlMagic.max_rows = 10000")


def test_wait_refreshes_the_view(shell):
    view = run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;")
    live = shown(shell, view)
    view.handle.push({"ID": 7, "NAME": "waited"})
    view.wait(rows=1, timeout=1)
    assert "waited" in live.table.value


def test_shutdown_leaves_no_thread(shell):
    for _ in range(3):
        shown(shell, run(shell, "%%ksql\nSELECT * FROM s EMIT CHANGES;"))
    run(shell, "%ksql datagen clickstream --rate 50")
    magic = shell.magics_manager.registry["KsqlMagic"]
    engine = magic.engine
    magic.shutdown()
    assert engine.closed
    assert eventually(lambda: not flusher_threads() and not [
        t for t in threading.enumerate() if t.name.startswith("ksql-datagen")])


def test_chart_option_naming_a_missing_column_is_a_note_not_a_traceback(shell):
    live = shown(shell, run(shell, FRAUD.replace("%%ksql", "%%ksql --y nope")))
    assert live.chart is None and "no column &#x27;nope" in live.widget.children[2].value
