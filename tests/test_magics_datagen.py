"""%ksql datagen through a real IPython shell and the real engine."""

import time

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ksql_magic import Engine


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    magic = ip.magics_manager.registry["KsqlMagic"]
    magic.use_engine(Engine(properties={"auto.offset.reset": "earliest"}))
    yield ip
    magic.shutdown()


def run(ip, code):
    with capture_output() as out:
        result = ip.run_cell(code)
    return result, "".join(o.data.get("text/html", "") for o in out.outputs)


def test_datagen_produces_a_count_into_the_topics(shell):
    _, html = run(shell, "%ksql datagen orders --count 20 --seed 1")
    engine = shell.magics_manager.registry["KsqlMagic"].engine
    assert "produced" in html and len(engine.records("orders")) == 20


def test_datagen_ddl_option_declares_the_streams(shell):
    run(shell, "%ksql datagen health_sensor --count 5 --ddl")
    result, _ = run(shell, "%ksql SELECT * FROM health_sensor EMIT CHANGES;")
    result.result.wait(rows=5, timeout=10)
    assert len(result.result.to_pandas()) == 5


def test_datagen_rate_runs_in_the_background_until_stopped(shell):
    result, _ = run(shell, "run = %ksql datagen clickstream --rate 100")
    produced = shell.user_ns["run"].produced
    time.sleep(0.5)
    assert result.success and shell.user_ns["run"].running
    run(shell, "%ksql stop all")
    assert not shell.user_ns["run"].running and shell.user_ns["run"].produced > produced


def test_datagen_unknown_domain_lists_the_domains(shell):
    result, _ = run(shell, "%ksql datagen nope")
    assert "authorization_attempts" in str(result.error_in_exec)


def test_datagen_late_events_are_dropped_after_grace(shell):
    run(shell, "%ksql datagen payments --count 300 --late-fraction 0.1 --seed 2 --ddl")
    result, _ = run(shell, "%%ksql\nSELECT user_id, COUNT(*) FROM payments_stream "
                           "WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 1 MINUTE) "
                           "GROUP BY user_id EMIT CHANGES;")
    view = result.result
    view.wait(until=lambda df: view.status()["records_in"] >= 320, timeout=20)
    assert view.status()["late_dropped"] > 0


def test_connect_to_an_unknown_scheme_fails_the_cell(shell):
    result, _ = run(shell, "%ksql connect redis://x")
    assert "unknown connection" in str(result.error_in_exec)


def test_connect_to_flink_without_a_bootstrap_fails_the_cell(shell):
    result, _ = run(shell, "%ksql connect flink://localhost:8083")
    assert "flink needs a Kafka bootstrap" in str(result.error_in_exec)


def test_connect_memory_replaces_the_engine(shell):
    magic = shell.magics_manager.registry["KsqlMagic"]
    old = magic.engine
    run(shell, "%ksql connect memory")
    assert magic.engine is not old and magic.engine is not None


def test_connect_to_an_unreachable_kafka_fails_even_when_errors_do_not_stop(shell):
    """A failed connect must not leave later cells silently on the previous engine."""
    magic = shell.magics_manager.registry["KsqlMagic"]
    old = magic.engine
    run(shell, "%config KsqlMagic.stop_on_error = False")
    start = time.monotonic()
    try:
        result, _ = run(shell, "%ksql connect kafka://127.0.0.1:1")
    finally:
        run(shell, "%config KsqlMagic.stop_on_error = True")
    text = str(result.error_in_exec)
    assert "127.0.0.1:1" in text and "statements still run on embedded" in text
    assert magic.engine is old and time.monotonic() - start < 60
