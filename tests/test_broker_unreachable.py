"""An engine pointed at something that is not a reachable Kafka broker fails within seconds
with a KsqlError that names the reason: nothing listening, a listener that closes the
connection, one that answers in another protocol, one that never answers."""

import socket
import threading
import time

import pytest

from ksql_magic import Engine, KsqlError

CLIENTS = ["kafka-python", "confluent"]


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def listener():
    """A loopback TCP server that treats each connection as ``behaviour`` says."""
    servers = []

    def start(behaviour):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        held = []

        def serve():
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                if behaviour == "http":
                    conn.recv(1024)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    conn.close()
                elif behaviour == "close":
                    conn.close()
                else:
                    held.append(conn)      # silent: keep it open, say nothing

        threading.Thread(target=serve, daemon=True).start()
        servers.append((srv, held))
        return srv.getsockname()[1]

    yield start
    for srv, held in servers:
        srv.close()
        for c in held:
            c.close()


def _refusal(port: int, client: str) -> tuple[KsqlError, float]:
    start = time.monotonic()
    with pytest.raises(KsqlError) as err:
        Engine(bootstrap_servers="127.0.0.1:%d" % port, client=client).close()
    return err.value, time.monotonic() - start


@pytest.mark.parametrize("client", CLIENTS)
def test_closed_port_is_refused_quickly_as_connection_refused(client):
    e, took = _refusal(_closed_port(), client)
    assert "Connection refused" in str(e)
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_http_listener_is_named_not_a_kafka_broker(client, listener):
    e, took = _refusal(listener("http"), client)
    assert "is not a Kafka broker: it answered a Kafka request with b'HTTP/1.1'" in str(e)
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_listener_that_hangs_up_is_named_not_a_kafka_broker(client, listener):
    e, took = _refusal(listener("close"), client)
    assert "is not a Kafka broker: it closed the connection" in str(e)
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_silent_listener_is_named_within_the_probe_timeout(client, listener):
    e, took = _refusal(listener("silent"), client)
    assert "did not answer a Kafka request within 5 s" in str(e)
    assert took < 8
