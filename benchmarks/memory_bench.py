"""Memory per retained record: what the embedded broker and the queries keep, beside the payload.

    python benchmarks/memory_bench.py [--n 100000] [--tracemalloc]

In one process: produces ``n`` keyed records into a JSON topic and ``n`` into a DELIMITED
topic, interleaved (values built in the loop, so the harness holds none of them), then runs a CSAS
(filter + project) over each and a windowed stream-stream join of the two. After each step
prints the process's RSS growth divided by the records that step left in the broker (bytes
per retained record), the average payload (key + value bytes) of those records, and the
aim ``2 x payload + 200``. The baseline, measured first in the same process, is a plain
list holding the same payloads as ``bytes``: the least any store of them can cost.

RSS is read from /proc after ``gc.collect()`` and glibc's ``malloc_trim`` (freed memory
handed back, so garbage a step left is not counted as retained). ``--tracemalloc`` also
prints the Python allocations traced per record (RSS then includes tracemalloc's own
bookkeeping, so read the traced column, which then decides ok / OVER). The last line is
the peak RSS.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import resource
import time
import tracemalloc

from ksql_magic import Engine

_PAGE = os.sysconf("SC_PAGE_SIZE")
try:
    _trim = ctypes.CDLL("libc.so.6").malloc_trim
except OSError:                      # not glibc: RSS figures include freed, unreturned memory
    _trim = None


def rss() -> int:
    """Resident bytes now, after collecting garbage and returning freed heap to the OS."""
    gc.collect()
    if _trim is not None:
        _trim(0)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def order_value(i: int) -> bytes:
    return b'{"ID":%d,"ITEM":"item-%d","AMOUNT":%d.5}' % (i, i % 997, i % 1000)


def shipment_value(i: int) -> bytes:
    return b"wh-%d,%d" % (i % 13, i % 7)


class Meter:
    """Measures a step: RSS (and traced) growth per record the step left behind."""

    def __init__(self, traced: bool):
        self.traced = traced
        self.rows: list[tuple] = []

    def step(self, name: str, run, count) -> None:
        before, tbefore = rss(), self._traced()
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        after, tafter = rss(), self._traced()
        n, payload = count()
        self.rows.append((name, n, (after - before) / max(n, 1),
                          None if tbefore is None else (tafter - tbefore) / max(n, 1),
                          payload, elapsed))

    def _traced(self):
        return tracemalloc.get_traced_memory()[0] if self.traced else None

    def print(self) -> None:
        print("%-26s %9s %12s %12s %10s %10s %8s" % ("step", "records", "RSS B/rec", "traced B/rec",
                                                     "payload B", "aim B", "secs"))
        for name, n, per, traced, payload, secs in self.rows:
            aim = 2 * payload + 200
            judged = per if traced is None else traced     # tracing inflates RSS itself
            print("%-26s %9d %12.0f %12s %10.1f %10.0f %8.2f  %s"
                  % (name, n, per, "-" if traced is None else "%.0f" % traced, payload, aim, secs,
                     "ok" if judged <= aim else "OVER"))


def topic_payload(engine, topic: str) -> tuple[int, float]:
    """(records in the topic, average key + value bytes)."""
    recs = engine.broker.records(topic)
    size = sum(len(r.key or b"") + len(r.value or b"") for r in recs)
    return len(recs), size / max(len(recs), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--tracemalloc", action="store_true")
    args = ap.parse_args()
    n = args.n
    if args.tracemalloc:
        tracemalloc.start()
    meter = Meter(args.tracemalloc)

    held: list = []

    def baseline():
        held.extend(bytes(bytearray(b"%d" % i)) + order_value(i) for i in range(n))
    meter.step("baseline: list of bytes", baseline,
               lambda: (len(held), sum(map(len, held)) / len(held)))
    held.clear()

    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM orders (id BIGINT KEY, item VARCHAR, amount DOUBLE) WITH ("
                   "KAFKA_TOPIC='orders', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.execute("CREATE STREAM shipments (order_id BIGINT KEY, warehouse VARCHAR, dock INT) WITH ("
                   "KAFKA_TOPIC='shipments', KEY_FORMAT='KAFKA', VALUE_FORMAT='DELIMITED', "
                   "PARTITIONS=1);")
    def produce_both():
        # interleaved, so the join below sees each order next to its shipment
        for i in range(n):
            k = i.to_bytes(8, "big")
            engine.produce("orders", order_value(i), key=k, timestamp=i * 1000)
            engine.produce("shipments", shipment_value(i), key=k, timestamp=i * 1000 + 500)

    def both_payloads():
        (a, pa), (b, pb) = topic_payload(engine, "orders"), topic_payload(engine, "shipments")
        return a + b, (a * pa + b * pb) / (a + b)

    meter.step("produce JSON + DELIMITED", produce_both, both_payloads)

    def csas(sql):
        def run():
            engine.execute(sql)
            engine.drain()
        return run

    meter.step("CSAS JSON (filter/project)",
               csas("CREATE STREAM big_orders AS SELECT id, item, amount * 2 AS doubled "
                    "FROM orders WHERE amount >= 100 EMIT CHANGES;"),
               lambda: topic_payload(engine, "BIG_ORDERS"))
    meter.step("CSAS DELIMITED",
               csas("CREATE STREAM wh AS SELECT order_id, UCASE(warehouse) AS wh, dock FROM shipments "
                    "WHERE warehouse <> 'wh-0' EMIT CHANGES;"),
               lambda: topic_payload(engine, "WH"))
    meter.step("stream-stream join JSON",
               csas("CREATE STREAM shipped AS SELECT o.id, o.item, o.amount, s.warehouse "
                    "FROM orders o JOIN shipments s WITHIN 1 MINUTE GRACE PERIOD 1 MINUTE "
                    "ON o.id = s.order_id EMIT CHANGES;"),
               lambda: topic_payload(engine, "SHIPPED"))
    meter.print()
    print("peak RSS: %.1f MB" % (peak_rss() / 1e6))
    engine.close()


if __name__ == "__main__":
    main()
