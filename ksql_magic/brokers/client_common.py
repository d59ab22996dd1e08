"""What the two real-Kafka brokers (``kafka.py`` over kafka-python, ``confluent.py`` over
confluent-kafka) share, so neither imports the other:

* Fail fast: ``probe`` (a TCP check) and ``kafka_handshake`` (one ApiVersions round trip)
  name why a bootstrap address does not answer, within the broker's timeout.
* Connection loss is ``unreachable(...)``: BrokerError("broker HOST:PORT unreachable: ...").
* Never trust end offsets to decide a partition is drained (Tansu reports the base offset of
  the last batch + 1): ``read_all`` and ``seek_end`` read on until a fetch finds nothing.
* ``FetchDeadline`` is the wait both brokers run while a fetch has no answer yet, and
  ``SharedBrokerMethods`` the Broker-protocol methods written the same way for both.

Importing this module needs neither client library.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Callable, Optional

from .base import BrokerError, Record

SECRET_WORDS = ("password", "secret", "token", "key", "jaas", "credential")


def redact(config: dict) -> dict:
    """A copy of a client config fit for printing: values of secret-looking keys hidden."""
    return {k: ("***" if any(w in k.lower() for w in SECRET_WORDS) else v)
            for k, v in config.items()}


def probe(bootstrap_servers: str, timeout: float) -> Optional[str]:
    """Why no bootstrap server accepts a TCP connection, or None if one does. A plain socket
    check: quick, and it names the reason (refused, timed out, unknown host)."""
    reasons = []
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
            return None
        except (OSError, ValueError) as e:
            reasons.append(f"{e.strerror or e}" if isinstance(e, OSError) else str(e))
    return "; ".join(reasons) or "no bootstrap servers"


_PROBE_CORRELATION = 0x6B73716C
_PROBE_CLIENT = b"ksql-magic-probe"


def kafka_handshake(bootstrap_servers: str, timeout: float, config: dict) -> Optional[str]:
    """Why no bootstrap server answers a Kafka ApiVersions request, or None when one does.

    The TCP check alone lets a listener that is not Kafka (an HTTP server, a port that
    accepts and closes) through, and the client then gives up after its full timeout with a
    generic timeout error. One ApiVersions v0 round trip names the real reason in at most
    ``timeout`` seconds. Skipped for TLS/SASL listeners, which cannot be spoken to in the
    clear (the TCP check still runs)."""
    protocol = str(config.get("security_protocol") or config.get("security.protocol") or "PLAINTEXT")
    if protocol.upper() != "PLAINTEXT":
        return probe(bootstrap_servers, timeout)
    reasons = []
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            reason = _api_versions_problem(host.strip("[]"), int(port), timeout)
        except (OSError, ValueError) as e:
            reason = f"{e.strerror or e}" if isinstance(e, OSError) else str(e)
        if reason is None:
            return None
        reasons.append(reason)
    return "; ".join(reasons) or "no bootstrap servers"


def _api_versions_problem(host: str, port: int, timeout: float) -> Optional[str]:
    request = struct.pack(">hhih", 18, 0, _PROBE_CORRELATION, len(_PROBE_CLIENT)) + _PROBE_CLIENT
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        try:
            head = _read_exactly(sock, 8)
        except socket.timeout:
            return (f"{host}:{port} accepted the connection but did not answer a Kafka request "
                    f"within {timeout:g} s (is it a Kafka listener?)")
    if len(head) < 8:
        sent = f" after sending {head!r}" if head else ""
        return (f"{host}:{port} is not a Kafka broker: it closed the connection{sent} "
                "without answering a Kafka request")
    size, correlation = struct.unpack(">ii", head)
    if correlation != _PROBE_CORRELATION or not 6 <= size <= 1 << 20:
        return f"{host}:{port} is not a Kafka broker: it answered a Kafka request with {head!r}"
    return None


def _read_exactly(sock, n: int) -> bytes:
    data = b""
    while len(data) < n:
        try:
            chunk = sock.recv(n - len(data))
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def unreachable(bootstrap_servers: str, reason: str) -> BrokerError:
    return BrokerError(f"broker {bootstrap_servers} unreachable: {reason}")


def read_all(fetch: Callable[[str, int, int, int], list], topic: str,
             partitions: int) -> list[Record]:
    """Every record of a topic, partition by partition, each read until a fetch at the
    position returns nothing (the Tansu-safe rule; end offsets are never consulted)."""
    out: list[Record] = []
    for p in range(partitions):
        offset = 0
        while batch := fetch(topic, p, offset, 100_000):
            out.extend(batch)
            offset = batch[-1].offset + 1
    return out


def seek_end(fetch: Callable[[str, int, int, int], list], topic: str, partition: int,
             reported: int) -> int:
    """The true end offset, from a reported one that may fall short (never beyond it)."""
    offset = reported
    while batch := fetch(topic, partition, offset, 100_000):
        offset = batch[-1].offset + 1
    return offset


class FetchDeadline:
    """The wait of a fetch that has no answer yet: every half second (and at the end) a
    socket check, so a broker that went away is reported as unreachable at once, and
    ``timeout`` seconds without an answer is reported too."""

    PROBE_EVERY = 0.5

    def __init__(self, bootstrap_servers: str, timeout: float):
        self.bootstrap_servers = bootstrap_servers
        self.timeout = timeout
        self.start = time.monotonic()
        self.deadline = self.start + timeout
        self.next_probe = self.start + self.PROBE_EVERY

    def check(self) -> None:
        """Raise the 'unreachable' BrokerError when the broker is gone or time is up."""
        now = time.monotonic()
        if now < self.next_probe and now < self.deadline:
            return
        reason = probe(self.bootstrap_servers, min(self.timeout, 2.0))
        if reason or now >= self.deadline:
            raise unreachable(self.bootstrap_servers,
                              reason or f"no fetch response within {self.timeout}s")
        self.next_probe = now + self.PROBE_EVERY


class SharedBrokerMethods:
    """Broker-protocol methods both real-Kafka brokers implement identically. A subclass
    provides ``topic``, ``fetch``, ``order`` (a ProducedOrder), ``_fetch_lock`` and
    ``_unassign_topic`` (how its client stops fetching a topic)."""

    def records(self, topic: str) -> list[Record]:
        """Every record of ``topic``, read until an empty fetch (see ``read_all``)."""
        info = self.topic(topic)
        if info is None:
            raise BrokerError(f"Topic '{topic}' does not exist")
        return read_all(self.fetch, topic, info.partitions)

    def _forget_topic(self, topic: str) -> None:
        """Drop what is known of a topic about to be deleted: its produce order and its
        place in the fetch consumer."""
        self.order.forget(topic)
        with self._fetch_lock:
            self._unassign_topic(topic)
