"""Avro decode + filter in the engine, beside a plain fastavro loop over the same bytes.

    python benchmarks/avro_bench.py [--n 300000]

The records are Confluent-framed Avro (magic byte, schema id, body) written by the engine
itself (``produce(value=dict)``) with the schema it registers in its in-memory registry.
Times ``SELECT card_number, amount FROM attempts WHERE amount > 500 EMIT CHANGES`` from the
records in the topic to the rows in the push query's handle, and a loop that strips the
5-byte header and runs ``fastavro.schemaless_reader`` plus the same filter on the same bytes,
in the same process. Prints events/second for both and their ratio (target: 0.5 or better).
A second pair times the AVRO serde's ``deserialize`` alone against the same loop.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

import fastavro  # noqa: E402

from ksql_magic import Engine  # noqa: E402

DDL = ("CREATE STREAM attempts (card_number VARCHAR, amount DOUBLE, merchant VARCHAR) "
       "WITH (KAFKA_TOPIC='attempts', VALUE_FORMAT='AVRO', PARTITIONS=1);")


def make_engine(n: int, seed: int = 7) -> tuple[Engine, list[bytes]]:
    """An engine with ``n`` Avro records in 'attempts', and their bytes."""
    rnd = random.Random(seed)
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute(DDL)
    for i in range(n):
        engine.produce("attempts", value={
            "CARD_NUMBER": "card-%05d" % rnd.randrange(10_000),
            "AMOUNT": round(rnd.uniform(1, 1000), 2),
            "MERCHANT": "m%03d" % rnd.randrange(500)}, timestamp=i)
    return engine, [r.value for r in engine.records("attempts")]


def plain_loop(engine, values: list[bytes]) -> tuple[float, int]:
    """fastavro over the same bytes: header off, decode, filter (the registry's schema is
    looked up once, outside the loop)."""
    schema_id = int.from_bytes(values[0][1:5], "big")
    parsed = fastavro.parse_schema(json.loads(engine.schema_registry.get_schema(schema_id)
                                              .schema_str))
    reader, bio = fastavro.schemaless_reader, io.BytesIO
    start = time.perf_counter()
    out = []
    for v in values:
        buf = bio(v)
        buf.seek(5)
        d = reader(buf, parsed, None)
        if d["AMOUNT"] > 500:
            out.append((d["CARD_NUMBER"], d["AMOUNT"]))
    return time.perf_counter() - start, len(out)


def engine_run(engine) -> tuple[float, int]:
    handle = engine.execute("SELECT card_number, amount FROM attempts WHERE amount > 500 "
                            "EMIT CHANGES;")[0].handle
    start = time.perf_counter()
    engine.drain()
    elapsed = time.perf_counter() - start
    return elapsed, handle.query.stats.records_out


def serde_run(engine, values: list[bytes]) -> tuple[float, int]:
    from ksql_magic.serde import make_serde
    src = engine.catalog.sources["ATTEMPTS"]
    de = make_serde("AVRO", [(c.name, c.type) for c in src.value_columns], is_key=False,
                    topic="attempts", registry=src.registry).deserialize
    start = time.perf_counter()
    out = [row for row in map(de, values) if row[1] > 500]
    return time.perf_counter() - start, len(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300_000)
    n = ap.parse_args().n
    engine, values = make_engine(n)
    base_t, base_rows = plain_loop(engine, values)
    serde_t, serde_rows = serde_run(engine, values)
    eng_t, eng_rows = engine_run(engine)
    assert base_rows == eng_rows == serde_rows, (base_rows, eng_rows, serde_rows)
    engine.close()
    print("records: %d, rows out: %d" % (n, eng_rows))
    print("plain fastavro loop     : %10.0f events/s" % (n / base_t))
    print("AVRO serde + filter     : %10.0f events/s  ratio %.2f" % (n / serde_t,
                                                                     base_t / serde_t))
    print("engine query (filter)   : %10.0f events/s  ratio %.2f" % (n / eng_t, base_t / eng_t))


if __name__ == "__main__":
    main()
