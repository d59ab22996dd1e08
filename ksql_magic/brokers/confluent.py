"""The real-Kafka broker over confluent-kafka (librdkafka): the same protocol and rules as
``kafka.py``, from the same helpers in ``client_common.py`` (fail fast, drained only on a fresh empty fetch, BrokerError on connection
loss, secrets never printed), imported only when the user picks client="confluent".

librdkafka reports "a fetch at this position found nothing" as a _PARTITION_EOF event
(enable.partition.eof); a seek starts a fresh fetch, so an EOF seen after our seek is proof.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from typing import Optional, Sequence

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from .base import BrokerError, Headers, Record, TopicInfo, new_record
from .client_common import (FetchDeadline, SharedBrokerMethods, kafka_handshake, probe,
                            seek_end, unreachable)
from .produced_order import ProducedOrder

_COMMON_DEFAULTS = {"reconnect.backoff.max.ms": 1000, "log_level": 0}
_CONSUMER_DEFAULTS = {"enable.auto.commit": False, "enable.partition.eof": True,
                      "fetch.wait.max.ms": 20, "auto.offset.reset": "earliest"}
# murmur2_random is the Java client's partitioner (keyed: murmur2; unkeyed: any partition).
_PRODUCER_DEFAULTS = {"linger.ms": 5, "acks": "all", "partitioner": "murmur2_random"}
_BATCH = 10_000


class ConfluentBroker(SharedBrokerMethods):
    """The Broker protocol over confluent-kafka: one admin client, one producer, one
    long-lived consumer (assign/seek, never subscribes) for fetches, and one consumer per
    consumer group for committing and reading offsets."""

    client_name = "confluent"

    def __init__(self, bootstrap_servers: str, *, timeout: float = 10.0, **client_config):
        self.bootstrap_servers = bootstrap_servers
        self.timeout = timeout
        self.__config = {**_COMMON_DEFAULTS, **client_config,
                         "bootstrap.servers": bootstrap_servers}
        self._producer = None
        self._consumer = None
        self._groups: dict[str, Consumer] = {}
        self._fetch_lock = threading.RLock()  # the fetch consumer is not thread-safe
        self._buffers: dict[tuple, deque] = {}
        self._positions: dict[tuple, int] = {}
        self._eof: dict[tuple, int] = {}
        self.order = ProducedOrder()              # drain()'s produce order across topics
        reason = kafka_handshake(bootstrap_servers, min(timeout, 5.0), client_config)
        if reason:
            raise unreachable(bootstrap_servers, reason)
        self._admin = AdminClient(dict(self.__config))
        self._check("connecting", lambda: self._admin.list_topics(timeout=self.timeout))

    def __repr__(self) -> str:
        return f"ConfluentBroker(bootstrap_servers={self.bootstrap_servers!r}, client='confluent')"

    __str__ = __repr__

    # -- errors --------------------------------------------------------------------------

    def _check(self, action: str, fn):
        """Run fn; a socket check first makes an absent broker a quick, clear error."""
        reason = probe(self.bootstrap_servers, min(self.timeout, 5.0))
        if reason:
            raise unreachable(self.bootstrap_servers, reason)
        try:
            return fn()
        except KafkaException as e:
            raise self._error(action, e.args[0] if e.args else e) from None

    def _error(self, action: str, err) -> BrokerError:
        reason = probe(self.bootstrap_servers, min(self.timeout, 2.0))
        if reason:
            return unreachable(self.bootstrap_servers, reason)
        text = err.str() if isinstance(err, KafkaError) else str(err)
        if isinstance(err, KafkaError) and err.code() in (KafkaError._TIMED_OUT,
                                                         KafkaError._TRANSPORT,
                                                         KafkaError._ALL_BROKERS_DOWN):
            return unreachable(self.bootstrap_servers, f"{text} during {action}")
        return BrokerError(f"broker {self.bootstrap_servers} refused {action}: {text}")

    def status(self) -> str:
        try:
            self._check("status", lambda: self._admin.list_topics(timeout=min(self.timeout, 2.0)))
        except BrokerError as e:
            return "unreachable: " + str(e).split("unreachable: ", 1)[-1]
        return "connected"

    # -- topics --------------------------------------------------------------------------

    def create_topic(self, name: str, partitions: int = 1, replicas: int = 1,
                     config: Optional[dict] = None) -> TopicInfo:
        config = {k: str(v) for k, v in (config or {}).items()}
        futures = self._check(f"creating topic {name}", lambda: self._admin.create_topics(
            [NewTopic(name, partitions, replicas, config=config)], request_timeout=self.timeout))
        try:
            futures[name].result()
        except KafkaException as e:
            if e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                raise BrokerError(f"Topic '{name}' already exists") from None
            raise self._error(f"creating topic {name}", e.args[0]) from None
        return TopicInfo(name, partitions, replicas, tuple(sorted(config.items())))

    def delete_topic(self, name: str) -> None:
        self._forget_topic(name)
        futures = self._check(f"deleting topic {name}", lambda: self._admin.delete_topics(
            [name], request_timeout=self.timeout))
        try:
            futures[name].result()
        except KafkaException as e:
            raise self._error(f"deleting topic {name}", e.args[0]) from None

    def _metadata(self, topic: Optional[str] = None):
        # Never name the topic in the request: Tansu would auto-create a missing one.
        md = self._check("describing topics", lambda: self._admin.list_topics(timeout=self.timeout))
        return md.topics

    def topic(self, name: str) -> Optional[TopicInfo]:
        t = self._metadata().get(name)
        return _topic_info(t) if t is not None and t.error is None else None

    def list_topics(self) -> list[TopicInfo]:
        return sorted((_topic_info(t) for t in self._metadata().values()
                       if t.error is None and not t.topic.startswith("__")),
                      key=lambda t: t.name)

    # -- produce -------------------------------------------------------------------------

    def _producer_client(self) -> Producer:
        if self._producer is None:
            self._producer = Producer({**_PRODUCER_DEFAULTS, **self.__config})
        return self._producer

    def produce(self, topic: str, key: Optional[bytes], value: Optional[bytes],
                timestamp: Optional[int] = None, partition: Optional[int] = None,
                headers: Headers = ()) -> Record:
        results: list = []
        tag = self.order.new_tag()
        self._produce_all([(topic, partition, key, value, timestamp, headers)], results)
        _, msg = results[0]
        self.order.note(topic, msg.partition(), msg.offset(), tag)
        ts = msg.timestamp()[1]
        return Record(topic, msg.partition(), msg.offset(),
                      timestamp if timestamp is not None else ts, key, value, tuple(headers),
                      seq=tag)

    def produce_batch(self, records: Sequence[tuple]) -> None:
        """(topic, partition, key, value, timestamp, headers[, input tag]) tuples; the tag
        rule is ``ProducedOrder.batch_tag``."""
        self._produce_all(records, None)

    def _produce_all(self, records: Sequence[tuple], results: Optional[list]) -> None:
        """Send every record, then wait until all are acknowledged (or fail the batch)."""
        producer = self._producer_client()
        errors: list = []
        order = self.order

        def delivered(err, msg):
            if err is not None:
                errors.append(err)
            elif results is not None:
                results.append((err, msg))

        def tagged(tag):
            def on_delivery(err, msg):
                delivered(err, msg)
                if err is None:
                    order.note(msg.topic(), msg.partition(), msg.offset(), tag)
            return on_delivery

        for r in records:
            topic, partition, key, value, timestamp, headers = r[:6]
            kwargs = {"partition": partition} if partition is not None else {}
            if timestamp is not None:
                kwargs["timestamp"] = timestamp
            if headers:
                kwargs["headers"] = list(headers)
            tag = order.batch_tag(r)
            callback = tagged(tag) if tag else delivered
            while True:
                try:
                    producer.produce(topic, value, key, on_delivery=callback, **kwargs)
                    break
                except BufferError:  # local queue full: let deliveries drain
                    producer.poll(0.05)
        self._await_delivery(producer, errors, len(records))

    def _await_delivery(self, producer: Producer, errors: list, count: int) -> None:
        deadline = time.monotonic() + self.timeout
        while producer.flush(0.5) > 0:
            if time.monotonic() > deadline or probe(self.bootstrap_servers, 2.0):
                self._drop_producer()
                raise self._error(f"producing {count} records", KafkaError(KafkaError._TIMED_OUT))
        if errors:
            raise self._error(f"producing {count} records", errors[0])

    def _drop_producer(self) -> None:
        """Forget a producer with undeliverable records so they never appear later."""
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.purge()

    # -- fetch ---------------------------------------------------------------------------

    def _consumer_client(self) -> Consumer:
        if self._consumer is None:
            self._consumer = Consumer({**_CONSUMER_DEFAULTS, **self.__config,
                                       "group.id": f"ksql-magic-fetch-{uuid.uuid4().hex}"})
        return self._consumer

    def fetch(self, topic: str, partition: int, offset: int, max_records: int = 500) -> list[Record]:
        with self._fetch_lock:
            key = (topic, partition)
            buffered = self._buffers.get(key)
            if not buffered or buffered[0].offset != offset:
                self._fill(key, offset)
                buffered = self._buffers[key]
            return self.order.tag(topic, partition, [buffered.popleft() for _ in
                                                     range(min(max_records, len(buffered)))])

    def _fill(self, key: tuple, offset: int) -> None:
        """Buffer records of ``key`` from ``offset``, or prove there are none: an EOF event
        at ``offset`` after a seek made in this call."""
        consumer = self._consumer_client()
        tp = TopicPartition(*key, offset)
        if key not in self._positions:
            self._check("assigning partitions", lambda: consumer.incremental_assign([tp]))
        elif self._positions[key] != offset:
            self._seek(consumer, tp)
        self._positions[key] = offset
        self._buffers[key] = deque()
        self._eof.pop(key, None)
        self._consume(0)
        if self._buffers[key]:
            return
        self._seek(consumer, tp)  # a fresh fetch: its EOF (or records) is current
        self._eof.pop(key, None)
        wait = FetchDeadline(self.bootstrap_servers, self.timeout)
        while not self._buffers[key] and self._eof.get(key) != offset:
            wait.check()
            self._consume(0.01)

    def _seek(self, consumer: Consumer, tp: TopicPartition) -> None:
        try:
            consumer.seek(tp)
        except KafkaException:  # not yet fetching (just assigned): re-assign at the offset
            consumer.incremental_unassign([tp])
            consumer.incremental_assign([tp])

    def _consume(self, timeout: float) -> None:
        buffers, positions = self._buffers, self._positions
        for m in self._consumer.consume(_BATCH, timeout):
            err = m.error()
            topic, partition = key = (m.topic(), m.partition())
            if err is None:
                buf = buffers.get(key)
                if buf is not None:
                    offset, headers = m.offset(), m.headers()
                    buf.append(new_record(topic, partition, offset, m.timestamp()[1], m.key(),
                                          m.value(), tuple(headers) if headers else ()))
                    positions[key] = offset + 1
            elif err.code() == KafkaError._PARTITION_EOF:
                if self._positions.get(key) == m.offset():
                    self._eof[key] = m.offset()

    def end_offset(self, topic: str, partition: int) -> int:
        """The offset the next record will get (Tansu-safe: see client_common.seek_end)."""
        consumer = self._consumer_client()
        _, high = self._check(f"listing offsets of {topic}", lambda: consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=self.timeout))
        return seek_end(self.fetch, topic, partition, high)

    def _unassign_topic(self, topic: str) -> None:
        """Start a fresh fetch consumer when a fetched topic is deleted: librdkafka crashes
        (SIGSEGV, seen with 2.16) when a consumer that fetched a deleted topic later meets
        the topic recreated under the same name."""
        if not any(k[0] == topic for k in self._positions):
            return
        consumer, self._consumer = self._consumer, None
        self._positions, self._buffers, self._eof = {}, {}, {}
        consumer.close()

    # -- consumer groups -----------------------------------------------------------------

    def _group_client(self, group: str) -> Consumer:
        if group not in self._groups:
            self._groups[group] = Consumer({**_CONSUMER_DEFAULTS, **self.__config,
                                            "group.id": group})
        return self._groups[group]

    def commit_offsets(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        consumer = self._group_client(group)
        tps = [TopicPartition(t, p, o) for (t, p), o in offsets.items()]
        self._check(f"committing offsets of {group}",
                    lambda: consumer.commit(offsets=tps, asynchronous=False))

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        info = self.topic(topic)
        if info is None:
            return {}
        consumer = self._group_client(group)
        tps = [TopicPartition(topic, p) for p in range(info.partitions)]
        got = self._check(f"reading offsets of {group}",
                          lambda: consumer.committed(tps, timeout=self.timeout))
        return {tp.partition: tp.offset for tp in got if tp.offset >= 0}

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(min(self.timeout, 2.0))
        for c in [self._consumer, *self._groups.values()]:
            if c is not None:
                c.close()
        self._producer = self._consumer = None
        self._groups = {}


def _topic_info(t) -> TopicInfo:
    partitions = t.partitions
    first = partitions.get(0)
    return TopicInfo(t.topic, len(partitions), len(first.replicas) if first else 1)
