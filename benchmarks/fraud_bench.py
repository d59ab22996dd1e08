"""possible_fraud over N JSON authorization attempts: the engine's events/s beside pandas.

Usage: python benchmarks/fraud_bench.py [--n 1000000] [--cards 10000]

Both sides get the same JSON records (10,000 cards, about 1% out of order). The records are
produced into the engine's in-memory broker (in batches, as a Kafka producer sends them), then
the persistent query drains them (emitting changes as ksqlDB does, record cache on); pandas
parses the same JSON and computes the final table. Two engine figures are printed: the query
alone (records already in the topic, as ksqlDB reads them from Kafka) and produce + query.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import pandas as pd

from ksql_magic import Engine

WINDOW_MS = 5 * 60 * 1000
DDL = ("CREATE STREAM authorization_attempts (card_number VARCHAR KEY, amount DOUBLE, "
       "merchant VARCHAR) WITH (kafka_topic='authorization_attempts', value_format='JSON', "
       "partitions=1);")
FRAUD = ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) FROM authorization_attempts "
         "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number HAVING COUNT(*) > 3;")


def records(n: int, cards: int, seed: int = 1) -> list[tuple[bytes, bytes, int]]:
    """(key, JSON value, timestamp); about 1% of records are moved up to a minute back."""
    rng = random.Random(seed)
    out = []
    t0 = 1_767_225_600_000
    for i in range(n):
        ts = t0 + i * 20
        if rng.random() < 0.01:
            ts -= rng.randrange(60_000)
        card = "4000-%08d" % rng.randrange(cards)
        value = json.dumps({"card_number": card, "amount": round(rng.uniform(1, 900), 2),
                            "merchant": "m%d" % rng.randrange(50)}, separators=(",", ":"))
        out.append((card.encode(), value.encode(), ts))
    return out


def run_engine(recs, chunk: int = 10_000) -> tuple[float, float, int]:
    """(produce seconds, query seconds, output records)."""
    engine = Engine()
    engine.execute(DDL)
    engine.execute(FRAUD)
    t = time.perf_counter()
    for i in range(0, len(recs), chunk):
        engine.broker.produce_batch([("authorization_attempts", 0, k, v, ts, ())
                                     for k, v, ts in recs[i:i + chunk]])
    produced = time.perf_counter()
    engine.drain()
    done = time.perf_counter()
    return produced - t, done - produced, len(engine.records("POSSIBLE_FRAUD"))


def run_pandas(recs) -> tuple[float, int]:
    t = time.perf_counter()
    rows = [json.loads(v) for _, v, _ in recs]
    df = pd.DataFrame(rows)
    df["ts"] = [ts for _, _, ts in recs]
    df["card_number"] = [k.decode() for k, _, _ in recs]
    df["start"] = df["ts"] // WINDOW_MS * WINDOW_MS
    counts = df.groupby(["card_number", "start"]).size()
    final = counts[counts > 3]
    return time.perf_counter() - t, len(final)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--cards", type=int, default=10_000)
    args = ap.parse_args()
    recs = records(args.n, args.cards)
    pe, prow = run_pandas(recs)
    ep, eq, erec = run_engine(recs)
    print("records: %d, cards: %d" % (args.n, args.cards))
    print("pandas          : %.2fs  %10.0f events/s  (%d fraud rows)" % (pe, args.n / pe, prow))
    print("engine query    : %.2fs  %10.0f events/s  (%d output records)" % (eq, args.n / eq, erec))
    print("engine + produce: %.2fs  %10.0f events/s" % (ep + eq, args.n / (ep + eq)))
    print("ratio engine/pandas: query %.2f, with produce %.2f" % (pe / eq, pe / (ep + eq)))


if __name__ == "__main__":
    main()
