"""Filter + project over JSON in the embedded broker, beside a plain-Python loop.

    python benchmarks/filter_bench.py [--n 1000000]

Times ``SELECT card_number, amount FROM attempts WHERE amount > 500 EMIT CHANGES`` from
the records already in the topic to the rows in the push query's handle, and a loop doing
the same JSON decode, filter and encode over the same bytes, in the same process; prints
events/second for both and their ratio (the engine's target: at least 0.5).
"""

from __future__ import annotations

import argparse
import json
import random
import time

from ksql_magic import Engine


def make_records(n: int, seed: int = 7) -> list[bytes]:
    rnd = random.Random(seed)
    return [json.dumps({"CARD_NUMBER": "card-%05d" % rnd.randrange(10_000),
                        "AMOUNT": round(rnd.uniform(1, 1000), 2),
                        "MERCHANT": "m%03d" % rnd.randrange(500)}).encode() for _ in range(n)]


def plain_loop(values: list[bytes]) -> tuple[float, int]:
    start = time.perf_counter()
    out = []
    for v in values:
        d = json.loads(v)
        if d["AMOUNT"] > 500:
            out.append(json.dumps({"CARD_NUMBER": d["CARD_NUMBER"], "AMOUNT": d["AMOUNT"]}).encode())
    return time.perf_counter() - start, len(out)


def engine_run(values: list[bytes]) -> tuple[float, int]:
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM attempts (card_number VARCHAR, amount DOUBLE, merchant VARCHAR) "
                   "WITH (KAFKA_TOPIC='attempts', VALUE_FORMAT='JSON', PARTITIONS=1);")
    for i, v in enumerate(values):
        engine.broker.produce("attempts", None, v, i, 0)
    handle = engine.execute("SELECT card_number, amount FROM attempts WHERE amount > 500 "
                            "EMIT CHANGES;")[0].handle
    start = time.perf_counter()
    engine.drain()
    elapsed = time.perf_counter() - start
    rows = handle.query.stats.records_out   # the handle itself keeps the newest 100,000 rows
    engine.close()
    return elapsed, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    n = ap.parse_args().n
    values = make_records(n)
    base_t, base_rows = plain_loop(values)
    eng_t, eng_rows = engine_run(values)
    assert base_rows == eng_rows, (base_rows, eng_rows)
    print("records: %d, rows out: %d" % (n, eng_rows))
    print("plain loop : %10.0f events/s" % (n / base_t))
    print("engine     : %10.0f events/s" % (n / eng_t))
    print("ratio      : %.2f" % (base_t / eng_t))


if __name__ == "__main__":
    main()
