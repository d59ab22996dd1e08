"""W1-W4 (issue 13): ksql_magic beside a plain json.loads loop, pandas and optional peers.

    python benchmarks/workloads_bench.py [--n 200000] [--n 1000000] [--only W2] [--runners ...]

Workloads over the same JSON authorization attempts (one event every 20 ms, about 1% moved
up to a minute back, 10,000 cards, 500 merchants, 10,000 users):

  W1  filter + project     CSAS SELECT card_number, amount WHERE amount > 500
  W2  possible_fraud       5-minute tumbling COUNT(*) per card HAVING COUNT(*) > 3
  W3  hopping SUM          5-minute windows advancing 1 minute, SUM(amount) per merchant
  W4  LEFT JOIN            each attempt LEFT JOIN a 10,000-row users table

What is timed is what the user waits for: producing the JSON input into the engine
(``Engine.produce`` per value, or ``Engine.produce_batch`` when the engine has one) plus
running the query until its last output is written. The baselines get the same JSON bytes
and produce the same results (outputs encoded to JSON for the row-at-a-time loop; the final
result for pandas, which cannot emit per record). Every (runner, workload, n) runs in its own
subprocess, so peak RSS (ru_maxrss) belongs to that one run; events per CPU-second divides
by the process's user+system time over the timed section. Generating the input bytes is
not timed but is part of the peak RSS (printed separately as "input RSS").

Bytewax, Quix Streams and Pathway are run when importable, else skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time

T0 = 1_767_225_600_000
CARDS, MERCHANTS, USERS = 10_000, 500, 10_000
MINUTE = 60_000
WORKLOADS = ("W1", "W2", "W3", "W4")

DDL = ("CREATE STREAM attempts (card_number VARCHAR KEY, amount DOUBLE, merchant VARCHAR, "
       "user_id VARCHAR) WITH (kafka_topic='attempts', value_format='JSON', partitions=1);")
USERS_DDL = ("CREATE TABLE users (user_id VARCHAR PRIMARY KEY, name VARCHAR, country VARCHAR) "
             "WITH (kafka_topic='users', value_format='JSON', partitions=1);")
QUERIES = {
    "W1": "CREATE STREAM big AS SELECT card_number, amount FROM attempts WHERE amount > 500;",
    "W2": ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) AS attempts "
           "FROM attempts WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY card_number "
           "HAVING COUNT(*) > 3;"),
    "W3": ("CREATE TABLE merchant_sums AS SELECT merchant, SUM(amount) AS total FROM attempts "
           "WINDOW HOPPING (SIZE 5 MINUTES, ADVANCE BY 1 MINUTE) GROUP BY merchant;"),
    "W4": ("CREATE STREAM enriched AS SELECT a.user_id, a.card_number, a.amount, u.name, u.country "
           "FROM attempts a LEFT JOIN users u ON a.user_id = u.user_id;"),
}
OUTPUT = {"W1": "BIG", "W2": "POSSIBLE_FRAUD", "W3": "MERCHANT_SUMS", "W4": "ENRICHED"}


# ---------------------------------------------------------------- input data ----------------
def events(n: int, seed: int = 13) -> list[tuple[bytes, bytes, int]]:
    """(key bytes, JSON value bytes, timestamp) for n attempts, deterministic per seed."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ts = T0 + i * 20
        if rng.random() < 0.01:
            ts -= rng.randrange(MINUTE)
        card = "4000-%08d" % rng.randrange(CARDS)
        value = json.dumps({"card_number": card, "amount": round(rng.uniform(1, 900), 2),
                            "merchant": "m%03d" % rng.randrange(MERCHANTS),
                            "user_id": "u%05d" % rng.randrange(USERS)}, separators=(",", ":"))
        out.append((card.encode(), value.encode(), ts))
    return out


def users() -> list[tuple[bytes, bytes, int]]:
    rng = random.Random(5)
    return [(("u%05d" % i).encode(),
             json.dumps({"name": "user %d" % i, "country": rng.choice(["DE", "FR", "US", "JP"])},
                        separators=(",", ":")).encode(), T0 - 1) for i in range(USERS)]


# ---------------------------------------------------------------- runners --------------------
def run_ksql(workload: str, evs, table) -> int:
    """Produce the input into a fresh engine and drain the query; returns output records."""
    from ksql_magic import Engine
    engine = Engine()
    engine.execute(DDL)
    if workload == "W4":
        engine.execute(USERS_DDL)
        _produce(engine, "users", table)
    engine.execute(QUERIES[workload])
    _produce(engine, "attempts", evs)
    engine.drain()
    topic = OUTPUT[workload]
    return sum(engine.broker.end_offset(topic, p) for p in range(engine.broker.topic(topic).partitions))


def _produce(engine, topic: str, recs, chunk: int = 10_000) -> None:
    batch = getattr(engine, "produce_batch", None)
    if batch is not None:
        for i in range(0, len(recs), chunk):
            part = recs[i:i + chunk]
            batch(topic, [v for _, v, _ in part], keys=[k for k, _, _ in part],
                  timestamps=[t for _, _, t in part])
        return
    for k, v, t in recs:
        engine.produce(topic, v, key=k, timestamp=t)


def run_loop(workload: str, evs, table) -> int:
    """The plain-Python baseline: json.loads each value, compute, json.dumps each output."""
    loads, dumps = json.loads, json.dumps
    out = []
    if workload == "W1":
        for k, v, ts in evs:
            d = loads(v)
            if d["amount"] > 500:
                out.append(dumps({"AMOUNT": d["amount"]}).encode())
    elif workload == "W2":
        size = 5 * MINUTE
        counts: dict = {}
        for k, v, ts in evs:
            d = loads(v)
            start = ts - ts % size
            key = (d["card_number"], start)
            c = counts[key] = counts.get(key, 0) + 1
            if c > 3:
                out.append(dumps({"ATTEMPTS": c}).encode())
    elif workload == "W3":
        size, adv = 5 * MINUTE, MINUTE
        sums: dict = {}
        for k, v, ts in evs:
            d = loads(v)
            first = max(0, ts - size + adv) // adv * adv
            for start in range(first, ts + 1, adv):
                key = (d["merchant"], start)
                s = sums[key] = sums.get(key, 0.0) + d["amount"]
                out.append(dumps({"TOTAL": s}).encode())
    else:
        tbl = {k.decode(): loads(v) for k, v, _ in table}
        for k, v, ts in evs:
            d = loads(v)
            u = tbl.get(d["user_id"]) or {}
            out.append(dumps({"AMOUNT": d["amount"], "NAME": u.get("name"),
                              "COUNTRY": u.get("country")}).encode())
    return len(out)


def run_pandas(workload: str, evs, table) -> int:
    """pandas over the whole input at once: the final result, not a changelog."""
    import pandas as pd
    df = pd.DataFrame([json.loads(v) for _, v, _ in evs])
    df["ts"] = [t for _, _, t in evs]
    if workload == "W1":
        res = df.loc[df["amount"] > 500, ["card_number", "amount"]]
    elif workload == "W2":
        df["start"] = df["ts"] // (5 * MINUTE) * (5 * MINUTE)
        c = df.groupby(["card_number", "start"]).size()
        res = c[c > 3]
    elif workload == "W3":
        parts = []
        for back in range(5):    # each event lies in 5 hopping windows
            start = (df["ts"] // MINUTE - back) * MINUTE
            parts.append(pd.DataFrame({"merchant": df["merchant"], "start": start,
                                       "amount": df["amount"]}))
        res = pd.concat(parts).groupby(["merchant", "start"])["amount"].sum()
    else:
        u = pd.DataFrame([dict(json.loads(v), user_id=k.decode()) for k, v, _ in table])
        res = df.merge(u, on="user_id", how="left")
    return len(res)


PEERS = {"bytewax": "bytewax", "quixstreams": "quixstreams", "pathway": "pathway"}
RUNNERS = {"ksql_magic": run_ksql, "json_loop": run_loop, "pandas": run_pandas}


# ---------------------------------------------------------------- one measured run -----------
def child(runner: str, workload: str, n: int) -> None:
    """Runs in the subprocess: build input, time the run, print one JSON line."""
    evs = events(n)
    table = users() if workload == "W4" else None
    input_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    outputs = RUNNERS[runner](workload, evs, table)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(json.dumps({"runner": runner, "workload": workload, "n": n, "wall": wall, "cpu": cpu,
                      "outputs": outputs, "rss_kb": r1.ru_maxrss, "input_rss_kb": input_rss}))


def measure(runner: str, workload: str, n: int) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", runner, workload, str(n)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"runner": runner, "workload": workload, "n": n,
                "error": (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def report(r: dict) -> str:
    if "error" in r:
        return "%-3s n=%-8d %-11s FAILED: %s" % (r["workload"], r["n"], r["runner"], r["error"])
    n = r["n"]
    return ("%-3s n=%-8d %-11s %10.0f ev/s  %10.0f ev/CPU-s  peak RSS %7.0f MB  "
            "(input RSS %5.0f MB)  %8.2fs  outputs %d"
            % (r["workload"], n, r["runner"], n / r["wall"], n / max(r["cpu"], 1e-9),
               r["rss_kb"] / 1024, r["input_rss_kb"] / 1024, r["wall"], r["outputs"]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, action="append", help="events (repeatable); default 200000")
    ap.add_argument("--only", action="append", choices=WORKLOADS)
    ap.add_argument("--runners", nargs="+", default=list(RUNNERS), choices=list(RUNNERS))
    args = ap.parse_args()
    for name, module in PEERS.items():
        try:
            __import__(module)
            print("%s is installed but has no W1-W4 runner here yet: skipped" % name)
        except ImportError:
            print("%s not installed: skipped" % name)
    for n in args.n or [200_000]:
        for w in args.only or WORKLOADS:
            for runner in args.runners:
                print(report(measure(runner, w, n)), flush=True)


if __name__ == "__main__":
    main()
