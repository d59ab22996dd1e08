"""Filter + project end to end through Kafka (Tansu), beside the bare client consuming the
same topic, for each client library.

    python benchmarks/kafka_engine_bench.py [--records 200000] [--bootstrap HOST:PORT]

The input topic holds ``--records`` JSON attempts (amount uniform in 1..1000, so about half
pass the filter). For each client the bare client first consumes the topic raw
(``kafka_client_bench.raw_consume_rate``), then a persistent query
``CREATE STREAM ... AS SELECT card_number, amount FROM attempts WHERE amount > 500`` runs
over it through the engine on that client: fetch, JSON decode, filter, encode, produce the
outputs and wait for their acks, commit offsets. Prints both rates and their ratio (aim: 0.7).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from filter_bench import make_records  # noqa: E402
from kafka_client_bench import available_clients, raw_consume_rate  # noqa: E402
from ksql_magic import Engine  # noqa: E402
from ksql_magic.brokers import connect  # noqa: E402

QUERY = "SELECT card_number, amount FROM attempts WHERE amount > 500"


def fill_topic(bootstrap: str, topic: str, values: list[bytes]) -> None:
    broker = connect(bootstrap)
    try:
        broker.create_topic(topic, 1)
        for i in range(0, len(values), 10_000):
            broker.produce_batch([(topic, 0, None, v, 1_000 + j, ())
                                  for j, v in enumerate(values[i:i + 10_000], i)])
    finally:
        broker.close()


def engine_rate(bootstrap: str, topic: str, client: str, n: int) -> tuple[float, int]:
    """(input records/s, outputs) of the persistent filter query over ``topic``."""
    sink = "BIG_" + uuid.uuid4().hex[:8].upper()
    with Engine({"auto.offset.reset": "earliest"}, bootstrap_servers=bootstrap,
                client=client) as engine:
        engine.execute(f"CREATE STREAM attempts (card_number VARCHAR, amount DOUBLE, "
                       f"merchant VARCHAR) WITH (kafka_topic='{topic}', value_format='JSON');"
                       f"CREATE STREAM {sink} AS {QUERY};")
        query = next(iter(engine.queries.values()))
        start = time.perf_counter()
        engine.drain()
        elapsed = time.perf_counter() - start
        assert query.stats.records_in == n, (query.stats.records_in, n)
        return n / elapsed, query.stats.records_out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--bootstrap")
    args = ap.parse_args(argv)
    tansu = None
    if args.bootstrap is None:
        from kafka_support import TansuBroker
        tansu = TansuBroker().start()
        args.bootstrap = tansu.bootstrap
    try:
        topic = "attempts_" + uuid.uuid4().hex[:8]
        fill_topic(args.bootstrap, topic, make_records(args.records))
        print(f"{args.records} JSON records in {topic} on {args.bootstrap}; query: {QUERY}")
        for client in available_clients():
            raw = raw_consume_rate(args.bootstrap, topic, client, expected=args.records)
            rate, out = engine_rate(args.bootstrap, topic, client, args.records)
            print(f"{client:13s} raw consume {raw:10,.0f} msg/s | engine end to end "
                  f"{rate:10,.0f} msg/s ({out} outputs) | ratio {rate / raw:.2f}")
    finally:
        if tansu is not None:
            tansu.stop()


if __name__ == "__main__":
    main()
