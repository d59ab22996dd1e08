"""The real-Kafka broker: the Broker protocol over kafka-python (the only module importing it).

``connect(bootstrap_servers, client=...)`` picks the client: kafka-python (the default) or
confluent-kafka (``confluent.py``). Both share the rules kept here:

* Fail fast: a wrong bootstrap address raises BrokerError within ``timeout`` seconds.
* Never trust end offsets to decide a partition is drained (Tansu reports the base offset of
  the last batch + 1); ``fetch`` returns [] only after a fetch at the position came back
  empty, and ``records`` reads each partition until such an empty fetch.
* Connection loss surfaces as BrokerError("broker HOST:PORT unreachable: ...") and the same
  object works again once the broker is back; ``status()`` reports the state.
* Client settings (SASL/SSL secrets) are passed through to the clients, never printed.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from typing import Callable, Optional, Sequence

from . import log_redaction
from .base import BrokerError, Headers, Record, TopicInfo, new_record
from .produced_order import ProducedOrder

# Our defaults, kept only where the installed client knows the key (kafka-python 2.x and
# 3.x differ); the user's client_config overrides them.
_COMMON_DEFAULTS = {
    "reconnect_backoff_max_ms": 1000,  # resume within a second of the broker's return
    "retry_backoff_ms": 100,
}
_CONSUMER_DEFAULTS = {
    "enable_auto_commit": False,
    "fetch_max_wait_ms": 20,  # an empty fetch is confirmed quickly (see fetch)
    "max_partition_fetch_bytes": 4 * 1024 * 1024,
    "auto_offset_reset": "earliest",
}
_PRODUCER_DEFAULTS = {"linger_ms": 5, "acks": "all", "batch_size": 256 * 1024}

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


def connect(bootstrap_servers: str, client: str = "kafka-python", **client_config):
    """The broker for a Kafka cluster through the chosen client library."""
    return _client_factory(client)(bootstrap_servers, **client_config)


def _client_factory(client: str):
    def confluent():
        from .confluent import ConfluentBroker
        return ConfluentBroker
    factories = {"kafka-python": lambda: KafkaBroker, "kafka": lambda: KafkaBroker,
                 "confluent": confluent, "confluent-kafka": confluent}
    if client not in factories:
        raise BrokerError(f"unknown Kafka client {client!r}: expected one of "
                          f"{', '.join(sorted(factories))}")
    try:
        return factories[client]()
    except ImportError as e:
        raise BrokerError(f"Kafka client {client!r} is not installed ({e})") from None


def _kafka():
    """The kafka-python modules, imported on first use so that choosing confluent-kafka (or
    the embedded broker) never needs kafka-python."""
    import kafka
    import kafka.admin
    import kafka.errors
    import kafka.structs
    return kafka


def _with_defaults(cls, config: dict, *defaults: dict) -> dict:
    known = getattr(cls, "DEFAULT_CONFIG", {})
    merged = {k: v for d in defaults for k, v in d.items() if k in known}
    merged.update(config)
    return merged


class KafkaBroker:
    """The Broker protocol over kafka-python. One admin client, one producer and one
    long-lived consumer (manual assign/seek, no group) for fetches; one group consumer per
    consumer group, used only to commit and read committed offsets."""

    client_name = "kafka-python"

    def __init__(self, bootstrap_servers: str, *, timeout: float = 10.0, **client_config):
        self.bootstrap_servers = bootstrap_servers
        self.timeout = timeout
        self.__config = dict(client_config)
        self._kafka = _kafka()
        self._producer = None
        self._consumer = None
        self._groups: dict[str, object] = {}
        self._fetch_lock = threading.RLock()  # the fetch consumer is not thread-safe
        self._buffers: dict[object, deque] = {}   # records polled ahead, per partition
        self._positions: dict[object, int] = {}   # the consumer's next offset, per partition
        self._answered: dict[object, tuple] = {}  # (offset, send time) of the last fetch answer
        self.order = ProducedOrder()              # drain()'s produce order across topics
        reason = kafka_handshake(bootstrap_servers, min(timeout, 5.0), client_config)
        if reason:
            raise unreachable(bootstrap_servers, reason)
        self._admin = self._open(self._kafka.KafkaAdminClient, _COMMON_DEFAULTS)

    def __repr__(self) -> str:
        return f"KafkaBroker(bootstrap_servers={self.bootstrap_servers!r}, client={self.client_name!r})"

    __str__ = __repr__

    # -- clients -------------------------------------------------------------------------

    def _open(self, cls, *defaults: dict, **extra):
        """A kafka-python client, failing fast with a clear reason when nothing answers.
        Its loggers get the secret-masking filter first (it logs its config at DEBUG)."""
        log_redaction.remember_secrets(self.__config)
        log_redaction.install("kafka")
        reason = probe(self.bootstrap_servers, min(self.timeout, 5.0))
        if reason:
            raise unreachable(self.bootstrap_servers, reason)
        timeouts = {"request_timeout_ms": int(self.timeout * 1000),
                    "bootstrap_timeout_ms": int(self.timeout * 1000),
                    "max_block_ms": int(self.timeout * 1000)}
        config = _with_defaults(cls, {**self.__config, **extra}, timeouts, *defaults)
        try:
            return cls(bootstrap_servers=self.bootstrap_servers, **config)
        except self._kafka.errors.KafkaError as e:
            raise self._error("connect", e) from None

    def _producer_client(self):
        if self._producer is None:
            self._producer = self._open(self._kafka.KafkaProducer, _COMMON_DEFAULTS,
                                        _PRODUCER_DEFAULTS, value_serializer=_NullValue())
        return self._producer

    def _consumer_client(self):
        if self._consumer is None:
            self._consumer = self._open(self._kafka.KafkaConsumer, _COMMON_DEFAULTS,
                                        _CONSUMER_DEFAULTS, group_id=None)
            self._watch_fetch_responses(self._consumer)
        return self._consumer

    def _group_client(self, group: str):
        if group not in self._groups:
            self._groups[group] = self._open(self._kafka.KafkaConsumer, _COMMON_DEFAULTS,
                                             _CONSUMER_DEFAULTS, group_id=group)
        return self._groups[group]

    def _error(self, action: str, e: Exception) -> BrokerError:
        """BrokerError for a client exception: 'unreachable' when the socket check fails,
        else what the broker said."""
        reason = probe(self.bootstrap_servers, min(self.timeout, 2.0))
        if reason:
            return unreachable(self.bootstrap_servers, reason)
        errors = self._kafka.errors
        if isinstance(e, (errors.KafkaTimeoutError, errors.RetriableError,
                          errors.KafkaConnectionError)):
            return unreachable(self.bootstrap_servers, f"{type(e).__name__} during {action}")
        return BrokerError(f"broker {self.bootstrap_servers} refused {action}: "
                           f"{getattr(e, 'message', None) or type(e).__name__}")

    def _call(self, action: str, fn, *args, **kwargs):
        """fn(*args, **kwargs), retried on retriable errors (a client still reconnecting
        after an outage) while the broker answers the socket check, up to ``timeout``."""
        errors = self._kafka.errors
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return fn(*args, **kwargs)
            except BrokerError:
                raise
            except (errors.RetriableError, errors.KafkaConnectionError) as e:
                if time.monotonic() > deadline or probe(self.bootstrap_servers, 2.0):
                    raise self._error(action, e) from None
                time.sleep(0.1)
            except (errors.KafkaError, OSError) as e:
                raise self._error(action, e) from None

    def status(self) -> str:
        """'connected', or 'unreachable: <reason>'."""
        reason = probe(self.bootstrap_servers, min(self.timeout, 2.0))
        if reason is None:
            try:
                self._admin.list_topics()
            except Exception as e:  # any failure here means not usable now
                reason = getattr(e, "message", None) or type(e).__name__
        return "connected" if reason is None else f"unreachable: {reason}"

    # -- topics --------------------------------------------------------------------------

    def create_topic(self, name: str, partitions: int = 1, replicas: int = 1,
                     config: Optional[dict] = None) -> TopicInfo:
        new = self._kafka.admin.NewTopic(name, partitions, replicas,
                                         topic_configs={k: str(v) for k, v in (config or {}).items()})
        try:
            self._admin.create_topics([new])
        except self._kafka.errors.TopicAlreadyExistsError:
            raise BrokerError(f"Topic '{name}' already exists") from None
        except (self._kafka.errors.KafkaError, OSError) as e:
            raise self._error(f"creating topic {name}", e) from None
        return TopicInfo(name, partitions, replicas,
                         tuple(sorted((k, str(v)) for k, v in (config or {}).items())))

    def delete_topic(self, name: str) -> None:
        self._forget_topic(name)
        self._call(f"deleting topic {name}", self._admin.delete_topics, [name])

    def _describe(self, names=None) -> list[dict]:
        return self._call("describing topics", self._admin.describe_topics, names)

    def topic(self, name: str) -> Optional[TopicInfo]:
        found = [t for t in self._describe([name]) if t["error_code"] == 0]
        return _topic_info(found[0]) if found else None

    def list_topics(self) -> list[TopicInfo]:
        described = self._describe()
        return sorted((_topic_info(t) for t in described
                       if t["error_code"] == 0 and not t.get("is_internal")),
                      key=lambda t: t.name)

    # -- produce -------------------------------------------------------------------------

    def produce(self, topic: str, key: Optional[bytes], value: Optional[bytes],
                timestamp: Optional[int] = None, partition: Optional[int] = None,
                headers: Headers = ()) -> Record:
        tag = self.order.new_tag()
        future = self._send(topic, partition, key, value, timestamp, headers)
        self._flush(f"producing to {topic}", [future])
        md = future.value
        self.order.note(topic, md.partition, md.offset, tag)
        return Record(topic, md.partition, md.offset, md.timestamp, key, value, tuple(headers),
                      seq=tag)

    def produce_batch(self, records: Sequence[tuple]) -> None:
        """(topic, partition, key, value, timestamp, headers[, input tag]) tuples; the tag
        rule is ``ProducedOrder.batch_tag``."""
        futures, tagged = [], []
        for r in records:
            futures.append(self._send(*r[:6]))
            tag = self.order.batch_tag(r)
            if tag:
                tagged.append((futures[-1], r[0], tag))
        self._flush(f"producing {len(futures)} records", futures)
        for future, topic, tag in tagged:
            self.order.note(topic, future.value.partition, future.value.offset, tag)

    def _send(self, topic, partition, key, value, timestamp, headers=()):
        producer = self._producer_client()
        if any(v is None for _, v in headers):
            raise BrokerError("kafka-python cannot write a null header value")
        return self._call(f"producing to {topic}", producer.send, topic,
                          value=_NULL if value is None and key is None else value, key=key,
                          partition=partition, timestamp_ms=timestamp,
                          headers=list(headers) if headers else None)

    def _flush(self, action: str, futures: list) -> None:
        """Return once every future is acknowledged; else drop the producer (so its unsent
        records do not appear later, out of order) and raise BrokerError."""
        deadline = time.monotonic() + self.timeout
        while not all(f.is_done for f in futures) and time.monotonic() < deadline:
            try:
                self._producer.flush(timeout=0.5)
            except self._kafka.errors.KafkaError:
                if probe(self.bootstrap_servers, min(self.timeout, 2.0)):
                    break
        failed = next((f for f in futures if not f.succeeded()), None)
        if failed is None:
            return
        self._drop_producer()
        e = failed.exception if failed.is_done else self._kafka.errors.KafkaTimeoutError()
        raise self._error(action, e)

    def _drop_producer(self):
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=0)
            except Exception:
                pass

    # -- fetch ---------------------------------------------------------------------------

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500) -> list[Record]:
        with self._fetch_lock:
            tp = self._kafka.TopicPartition(topic, partition)
            buffered = self._buffers.get(tp)
            if not buffered or buffered[0].offset != offset:
                self._position(tp, offset)
                self._poll_until(tp, offset)
                buffered = self._buffers[tp]
            return self.order.tag(topic, partition, [buffered.popleft() for _ in
                                                     range(min(max_records, len(buffered)))])

    def _position(self, tp, offset: int) -> None:
        """Point the long-lived consumer at ``offset`` of ``tp``, adding tp to its assignment
        if new; a seek only when the consumer is elsewhere, so read-ahead is kept."""
        consumer = self._consumer_client()
        if tp not in self._positions:
            self._positions[tp] = -1
            self._call("assigning partitions", consumer.assign, list(self._positions))
            for other, pos in self._positions.items():
                if other != tp:
                    consumer.seek(other, pos)
        if self._positions[tp] != offset:
            consumer.seek(tp, offset)
            self._positions[tp] = offset
        self._buffers[tp] = deque()

    def _poll_until(self, tp, offset: int) -> None:
        """Poll (buffering records of every partition) until tp has records, or a fetch
        request sent after this call began came back with nothing for tp at ``offset`` --
        what 'drained' means (end offsets are never trusted). No answer within ``timeout``
        (or a failed socket check on the way) is a BrokerError."""
        start = time.monotonic()
        deadline, next_probe = start + self.timeout, start + 0.5
        while not self._buffers[tp]:
            answered = self._answered.get(tp)
            if answered is not None and answered[0] == offset and answered[1] >= start:
                self._poll(tp, 0)
                return
            now = time.monotonic()
            if now >= next_probe or now >= deadline:
                reason = probe(self.bootstrap_servers, min(self.timeout, 2.0))
                if reason or now >= deadline:
                    raise unreachable(self.bootstrap_servers,
                                      reason or f"no fetch response within {self.timeout}s")
                next_probe = now + 0.5
            self._poll(tp, 10)

    def _poll(self, tp, timeout_ms: int) -> None:
        polled = self._call(f"fetching {tp.topic}", self._consumer.poll,
                            timeout_ms=timeout_ms, max_records=100_000)
        for part, recs in polled.items():
            self._buffer(part, recs)

    def _watch_fetch_responses(self, consumer) -> None:
        """Note, per partition, the offset and send time of every successful fetch answer
        (kafka-python's fetcher hands each response to _handle_fetch_response); an answer
        without records for a partition proves it empty at that offset."""
        fetcher = consumer._fetcher
        original = fetcher._handle_fetch_response
        answered = self._answered

        def handle(node_id, fetch_offsets, send_time, response):
            original(node_id, fetch_offsets, send_time, response)
            try:
                if getattr(response, "error_code", 0):
                    return
                failed = {(t.topic, p.partition_index) for t in response.responses
                          for p in t.partitions if p.error_code}
            except AttributeError:  # an unexpected response shape: prove nothing
                return
            for tp, off in fetch_offsets.items():
                if (tp.topic, tp.partition) not in failed:
                    answered[tp] = (off, send_time)

        fetcher._handle_fetch_response = handle

    def _buffer(self, tp, recs) -> None:
        if tp not in self._buffers:
            self._buffers[tp] = deque()
        self._buffers[tp].extend(_record(r) for r in recs)
        self._positions[tp] = recs[-1].offset + 1

    def end_offset(self, topic: str, partition: int) -> int:
        """The offset the next record will get. Tansu reports the last batch's base offset
        + 1, so read on from the reported end until a fetch finds nothing."""
        tp = self._kafka.TopicPartition(topic, partition)
        consumer = self._consumer_client()
        ends = self._call(f"listing offsets of {topic}", consumer.end_offsets, [tp])
        return seek_end(self.fetch, topic, partition, ends[tp])

    def records(self, topic: str) -> list[Record]:
        info = self.topic(topic)
        if info is None:
            raise BrokerError(f"Topic '{topic}' does not exist")
        return read_all(self.fetch, topic, info.partitions)

    def _forget_topic(self, topic: str) -> None:
        self.order.forget(topic)
        with self._fetch_lock:
            self._unassign_topic(topic)

    def _unassign_topic(self, topic: str) -> None:
        """Drop a topic's partitions from the fetch consumer (a deleted topic would otherwise
        be fetched forever)."""
        gone = [tp for tp in self._positions if tp.topic == topic]
        if not gone:
            return
        for tp in gone:
            del self._positions[tp]
            self._buffers.pop(tp, None)
        self._consumer.assign(list(self._positions))
        for tp, pos in self._positions.items():
            self._consumer.seek(tp, max(pos, 0))

    # -- consumer groups -----------------------------------------------------------------

    def commit_offsets(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        oam = self._kafka.structs.OffsetAndMetadata
        extra = ("",) + (-1,) * (len(oam._fields) - 2)
        commit = {self._kafka.TopicPartition(t, p): oam(o, *extra)
                  for (t, p), o in offsets.items()}
        consumer = self._group_client(group)
        self._call(f"committing offsets of {group}", consumer.commit, commit)

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        info = self.topic(topic)
        if info is None:
            return {}
        consumer = self._group_client(group)
        out = {}
        for p in range(info.partitions):
            tp = self._kafka.TopicPartition(topic, p)
            offset = self._call(f"reading offsets of {group}", consumer.committed, tp)
            if offset is not None and offset >= 0:
                out[p] = offset
        return out

    def close(self) -> None:
        clients = [self._admin, self._producer, self._consumer, *self._groups.values()]
        self._producer = self._consumer = None
        self._groups = {}
        for c in clients:
            if c is not None:
                try:
                    c.close()
                except Exception:
                    pass


class _NullValue:
    """Value serializer letting a record with neither key nor value through kafka-python's
    send(), which rejects two Nones: the value travels as the _NULL marker and is
    written as null."""

    def serialize(self, topic, headers, data):
        return None if data is _NULL else data

    def __call__(self, data):  # kafka-python 2.x calls serializers with the value alone
        return None if data is _NULL else data


_NULL = object()


def _record(r) -> Record:
    headers = tuple((k, v) for k, v in r.headers) if r.headers else ()
    return new_record(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value, headers)


def _topic_info(described: dict) -> TopicInfo:
    partitions = described["partitions"]
    replicas = len(partitions[0]["replica_nodes"]) if partitions else 1
    return TopicInfo(described["name"], len(partitions), replicas)
