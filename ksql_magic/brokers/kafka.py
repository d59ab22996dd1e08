"""The real-Kafka broker: the Broker protocol over kafka-python (the only module importing it).

``ksql_magic.brokers.connect(bootstrap_servers, client=...)`` picks the client: kafka-python
(the default, this module) or confluent-kafka (``confluent.py``). Both follow the rules whose
code lives in ``client_common.py``:

* Fail fast: a wrong bootstrap address raises BrokerError within ``timeout`` seconds.
* Never trust end offsets to decide a partition is drained (Tansu reports the base offset of
  the last batch + 1); ``fetch`` returns [] only after a fetch at the position came back
  empty, and ``records`` reads each partition until such an empty fetch.
* Connection loss surfaces as BrokerError("broker HOST:PORT unreachable: ...") and the same
  object works again once the broker is back; ``status()`` reports the state.
* Client settings (SASL/SSL secrets) are passed through to the clients, never printed.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Optional, Sequence

from . import log_redaction
from .base import BrokerError, Headers, Record, TopicInfo, new_record
from .client_common import (FetchDeadline, SharedBrokerMethods, kafka_handshake, probe,
                            seek_end, unreachable)
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


class KafkaBroker(SharedBrokerMethods):
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
        """Stop the producer for good, its unsent and in-flight batches aborted. Why not just
        ``close(timeout=0)``: that flushes first, and with the broker away the flush raises
        before the sender is stopped, so the old sender went on retrying and delivered its
        stale batch after the retry's newer records (a table's last value went backwards)."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        sender = getattr(producer, "_sender", None)
        if sender is not None:
            sender.force_close()
            if sender is not threading.current_thread():
                sender.join(max(self.timeout, 1.0))
        try:
            producer.close(timeout=0)
        except Exception:  # noqa: BLE001 - already stopped; close only releases its resources
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
        wait = FetchDeadline(self.bootstrap_servers, self.timeout)
        while not self._buffers[tp]:
            answered = self._answered.get(tp)
            if answered is not None and answered[0] == offset and answered[1] >= wait.start:
                self._poll(tp, 0)
                return
            wait.check()
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
