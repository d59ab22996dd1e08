"""Test infrastructure for Flink: a standalone cluster + SQL Gateway and a Tansu broker.

``flink_cluster`` installs Flink (scripts/flink/setup.sh; skips if Java or the install is
unavailable), starts jobmanager, taskmanager and gateway on free loopback ports and a Tansu
broker, and yields a ``FlinkCluster``. ``shared_cluster`` starts it once per test process;
test modules wrap it: ``cluster = pytest.fixture(scope="module")(shared_cluster)``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from kafka_support import TansuBroker, free_port

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts" / "flink"


@dataclass
class FlinkCluster:
    gateway_url: str
    rest_url: str
    bootstrap: str


_SHARED: list = []          # [(FlinkCluster, generator)] once started in this process


def shared_cluster(tmp_path_factory):
    """Fixture body: one cluster per test process, shared by every Flink test module (a cold
    start costs 20-90 s), stopped when the process exits."""
    if not _SHARED:
        gen = flink_cluster(tmp_path_factory)
        _SHARED.append((next(gen), gen))
        atexit.register(_stop_shared)
    return _SHARED[0][0]


def _stop_shared() -> None:
    for _, gen in _SHARED:
        gen.close()


def flink_cluster(tmp_path_factory):
    """Generator: start everything, yield a FlinkCluster, stop everything on close."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: Flink cannot run here")
    setup = subprocess.run(["bash", str(SCRIPTS / "setup.sh")], capture_output=True, text=True)
    if setup.returncode != 0:
        pytest.skip("Flink could not be installed: " + setup.stderr[-500:])
    state = tmp_path_factory.mktemp("flink")
    env = dict(os.environ, KSQL_FLINK_REST_PORT=str(free_port()),
               KSQL_FLINK_RPC_PORT=str(free_port()), KSQL_FLINK_GATEWAY_PORT=str(free_port()))
    t0 = time.monotonic()
    out = subprocess.run(["bash", str(SCRIPTS / "cluster.sh"), "start", str(state)], env=env,
                         capture_output=True, text=True, timeout=180)
    urls = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
    broker = TansuBroker()
    try:
        assert out.returncode == 0, out.stderr[-2000:]
        broker.start()
        print("flink cluster + gateway started in %.1fs" % (time.monotonic() - t0))
        yield FlinkCluster(urls["GATEWAY_URL"], urls["REST_URL"], broker.bootstrap)
    finally:
        broker.stop()
        subprocess.run(["bash", str(SCRIPTS / "cluster.sh"), "stop", str(state)], env=env,
                       capture_output=True, timeout=60)


def produce(bootstrap: str, topic: str, rows) -> None:
    """rows: (key bytes|None, value bytes|None, timestamp ms), in order, with kafka-python."""
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    for key, value, ts in rows:
        producer.send(topic, key=key, value=value, timestamp_ms=ts)
    producer.flush()
    producer.close()


def suffix() -> str:
    return uuid.uuid4().hex[:8]
