"""Micro-benchmark: JSON serde decode+encode of a 5-field record vs plain json.loads/dumps.

Run: python benchmarks/serde_json_bench.py [N]
Prints records/s for ksql_magic's JSON serde (decode + encode, with ksqlDB's coercions and
Java number formatting) and, in the same run, for the stdlib json and orjson round trips.
"""

from __future__ import annotations

import json
import sys
import time

import orjson

from ksql_magic import types as T
from ksql_magic.serde import make_serde

COLUMNS = [("ID", T.BIGINT), ("NAME", T.STRING), ("PRICE", T.DOUBLE), ("QTY", T.INTEGER),
           ("ACTIVE", T.BOOLEAN)]


def _records(n: int) -> list[bytes]:
    return [json.dumps({"ID": i, "NAME": "item-%d" % i, "PRICE": i * 0.25 + 0.1,
                        "QTY": i % 100, "ACTIVE": i % 2 == 0}).encode() for i in range(n)]


def _rate(fn, data) -> float:
    start = time.perf_counter()
    fn(data)
    return len(data) / (time.perf_counter() - start)


def _serde_round_trip(serde):
    de, ser = serde.deserialize, serde.serialize

    def run(data):
        for b in data:
            ser(de(b))
    return run


def _stdlib(data):
    loads, dumps = json.loads, json.dumps
    for b in data:
        dumps(loads(b), separators=(",", ":"))


def _orjson(data):
    loads, dumps = orjson.loads, orjson.dumps
    for b in data:
        dumps(loads(b))


def main(argv) -> None:
    n = int(argv[1]) if len(argv) > 1 else 200_000
    data = _records(n)
    serde = make_serde("JSON", COLUMNS, is_key=False, properties={})
    de = serde.deserialize
    rows = [de(b) for b in data]
    for label, fn, arg in (
            ("ksql_magic JSON decode+encode", _serde_round_trip(serde), data),
            ("ksql_magic JSON decode only", lambda d: [de(b) for b in d], data),
            ("ksql_magic JSON encode only", lambda r: [serde.serialize(x) for x in r], rows),
            ("json.loads + json.dumps", _stdlib, data),
            ("orjson.loads + orjson.dumps", _orjson, data)):
        print("%-32s %12.0f records/s" % (label, _rate(fn, arg)))


if __name__ == "__main__":
    main(sys.argv)
