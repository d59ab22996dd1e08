"""Producing into the embedded broker: per-record ``Engine.produce`` vs ``Engine.produce_batch``.

    python benchmarks/produce_bench.py [--n 200000] [--partitions 1]

Each side turns the same ``n`` dicts into JSON text (``json.dumps``) and hands them over with
a key and a timestamp; the baseline is a plain loop doing only the ``json.dumps`` into a list,
in the same process. Prints events/second for each, the ratio baseline time / engine time
(1.0 would mean producing costs nothing beyond the encoding), the RSS each step left behind
(the topic's storage) and the peak RSS.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import time

from ksql_magic import Engine

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def make_events(n: int) -> tuple:
    return tuple({"ID": i, "USER": "user_%d" % (i % 5000), "AMOUNT": i % 1000 + 0.25,
                  "CURRENCY": "JPY"} for i in range(n))


def plain_loop(events, keys, stamps, _partitions) -> list:
    out = []
    dumps = json.dumps
    for e in events:
        out.append(dumps(e))
    return out


def per_record(events, keys, stamps, partitions) -> Engine:
    engine = Engine()
    engine.create_topic("payments", partitions)
    dumps, produce = json.dumps, engine.produce
    for e, k, ts in zip(events, keys, stamps):
        produce("payments", dumps(e), key=k, timestamp=ts)
    return engine


def batched(events, keys, stamps, partitions) -> Engine:
    engine = Engine()
    engine.create_topic("payments", partitions)
    dumps = json.dumps
    engine.produce_batch("payments", [dumps(e) for e in events], keys=keys, timestamps=stamps)
    return engine


def measure(fn, *args) -> tuple[float, int, object]:
    before = rss()
    start = time.perf_counter()
    kept = fn(*args)
    elapsed = time.perf_counter() - start
    return elapsed, rss() - before, kept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=1)
    args = ap.parse_args()
    n = args.n
    events = make_events(n)
    keys = tuple("user_%d" % (i % 5000) for i in range(n))
    stamps = tuple(range(1_700_000_000_000, 1_700_000_000_000 + n))
    gc.freeze()          # the inputs are old objects: no side pays to rescan them
    data = (events, keys, stamps, args.partitions)
    base_t, base_m, kept = measure(plain_loop, *data)
    del kept
    runs = [("produce loop", per_record)]
    if hasattr(Engine, "produce_batch"):
        runs.append(("produce_batch", batched))
    print("records: %d, partitions: %d" % (n, args.partitions))
    print("%-14s %12s %7s %12s" % ("", "events/s", "ratio", "RSS kept MB"))
    print("%-14s %12.0f %7s %12.1f" % ("json.dumps", n / base_t, "1.00", base_m / 1e6))
    for name, fn in runs:
        t, m, engine = measure(fn, *data)
        assert sum(engine.broker.end_offset("payments", p) for p in range(args.partitions)) == n
        engine.close()
        del engine
        print("%-14s %12.0f %7.2f %12.1f" % (name, n / t, base_t / t, m / 1e6))
    print("peak RSS: %.1f MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6))


if __name__ == "__main__":
    main()
