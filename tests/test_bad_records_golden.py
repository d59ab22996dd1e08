"""Every bad record in tests/golden/bad_records.txt, across formats and operators, ends the
same way: skipped, counted in its query's status, written to the processing log with the
expected TYPE; the good records around it processed; a second query on the same source
unaffected; the catalog unchanged; drain() and close() raising nothing."""

from __future__ import annotations

import json
import pathlib

import pytest

from ksql_magic import Engine
from ksql_magic.functions import regex as regex_fns
from ksql_magic.functions.udfs import udaf

GOLDEN = pathlib.Path(__file__).parent / "golden" / "bad_records.txt"
SLOW = "(a|aa)+$"

GOOD = {"JSON": '{"NAME":"b","AMOUNT":1,"PRICE":1.5,"OK":true,"CREATED":10}',
        "NONE": '{"NAME":"b","AMOUNT":1,"PRICE":1.5,"OK":true,"CREATED":10}',
        "DELIMITED": "b,1,1.5,true,10",
        "KAFKA": b"\x00\x00\x00\x01"}
COLUMNS = "name VARCHAR, amount INT, price DOUBLE, ok BOOLEAN, created BIGINT"

# operator -> (statement over `src`, what the two good records must produce in OUT)
OPERATORS = {
    "source": ("CREATE STREAM out AS SELECT * FROM src;", 2),
    "filter": ("CREATE STREAM out AS SELECT * FROM src WHERE REGEXP_EXTRACT('%s', name) IS NULL;" % SLOW, 2),
    "projection": ("CREATE STREAM out AS SELECT id, REGEXP_REPLACE(name, '%s', '') AS n FROM src;" % SLOW, 2),
    "table_function": ("CREATE STREAM out AS SELECT id, EXPLODE(REGEXP_SPLIT_TO_ARRAY(name, '%s')) AS p "
                       "FROM src;" % SLOW, 2),
    "partition_by": ("CREATE STREAM out WITH (VALUE_FORMAT='JSON') AS SELECT REGEXP_REPLACE(name, '%s', '') AS k2, "
                     "amount FROM src PARTITION BY REGEXP_REPLACE(name, '%s', '');" % (SLOW, SLOW), 2),
    "join": ("CREATE STREAM out AS SELECT s.id, REGEXP_REPLACE(s.name, '%s', '') AS n, u.region "
             "FROM src s JOIN users u ON s.id = u.id;" % SLOW, 2),
    "having": ("CREATE TABLE out AS SELECT name, COUNT(*) AS n FROM src GROUP BY name "
               "HAVING REGEXP_EXTRACT('%s', name) IS NULL;" % SLOW, 2),
    "aggregate": ("CREATE TABLE out WITH (VALUE_FORMAT='JSON') AS SELECT id, GOLDEN_TOTAL(amount) AS t FROM src GROUP BY id;", 2),
    "window_tumbling": ("CREATE TABLE out WITH (VALUE_FORMAT='JSON') AS SELECT id, GOLDEN_TOTAL(amount) AS t FROM src "
                        "WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id;", 2),
    "window_hopping": ("CREATE TABLE out WITH (VALUE_FORMAT='JSON') AS SELECT id, GOLDEN_TOTAL(amount) AS t FROM src "
                       "WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 1 MINUTE) GROUP BY id;", 2),
    "window_session": ("CREATE TABLE out WITH (VALUE_FORMAT='JSON') AS SELECT id, GOLDEN_TOTAL(amount) AS t FROM src "
                       "WINDOW SESSION (1 MINUTE) GROUP BY id;", 2),
    "join_aggregate": ("CREATE TABLE out WITH (VALUE_FORMAT='JSON') AS SELECT u.region, GOLDEN_TOTAL(s.amount) AS t FROM src s "
                       "JOIN users u ON s.id = u.id GROUP BY u.region;", 2),
    "sink_json": ("CREATE STREAM out WITH (VALUE_FORMAT='JSON') AS SELECT id, OUT_BIGINT(amount) AS x FROM src;", 2),
    "sink_kafka": ("CREATE STREAM out WITH (VALUE_FORMAT='KAFKA') AS SELECT id, OUT_INT(amount) AS x FROM src;", 2),
    "sink_delimited": ("CREATE STREAM out WITH (VALUE_FORMAT='DELIMITED') AS "
                       "SELECT id, OUT_DOUBLE(amount) AS x FROM src;", 2),
}
STATUS_FIELD = {0: "deser_errors", 1: "processing_errors", 3: "serialization_errors"}


@udaf("golden_total", params=["INT"], returns="INT")
class GoldenTotal:
    """Sums amounts and refuses negative ones (raises), a stand-in for a failing aggregate."""

    def initialize(self):
        return 0

    def aggregate(self, acc, v):
        if v is not None and v < 0:
            raise ArithmeticError("negative amount %d" % v)
        return acc + (v or 0)

    def merge(self, a, b):
        return a + b

    def result(self, acc):
        return acc


def _cases():
    for n, line in enumerate(GOLDEN.read_text().splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            fmt, op, bad, kind = (p.strip() for p in line.split(" | "))
            yield pytest.param(fmt, op, bad, int(kind), id="%d-%s-%s" % (n, fmt, op))


def _bytes(cell: str):
    return bytes.fromhex(cell[4:]) if cell.startswith("hex:") else cell.encode()


def _engine(fmt: str) -> Engine:
    e = Engine(properties={"auto.offset.reset": "earliest"})
    # outputs that cannot be serialized by each sink format, for negative amounts
    e.register_udf("out_bigint", lambda v: v * 2 ** 70 if v < 0 else v, ["INT"], "BIGINT")
    e.register_udf("out_int", lambda v: v * 2 ** 40 if v < 0 else v, ["INT"], "INT")
    e.register_udf("out_double", lambda v: "n/a" if v < 0 else float(v), ["INT"], "DOUBLE")
    if fmt == "KAFKA":
        e.execute("CREATE STREAM src (id VARCHAR KEY, amount INT) WITH (KAFKA_TOPIC='src', "
                  "VALUE_FORMAT='KAFKA', PARTITIONS=1);")
    elif fmt == "NONE":
        e.execute("CREATE STREAM src (%s) WITH (KAFKA_TOPIC='src', KEY_FORMAT='NONE', "
                  "VALUE_FORMAT='JSON', PARTITIONS=1);" % COLUMNS)
    else:
        e.execute("CREATE STREAM src (id VARCHAR KEY, %s) WITH (KAFKA_TOPIC='src', "
                  "VALUE_FORMAT='%s', PARTITIONS=1);" % (COLUMNS, fmt))
    e.execute("CREATE TABLE users (id VARCHAR PRIMARY KEY, region VARCHAR) WITH (KAFKA_TOPIC='users', "
              "VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.produce("users", '{"REGION":"eu"}', key="k", timestamp=1)
    e.execute("CREATE STREAM bystander AS SELECT * FROM src;")
    return e


@pytest.mark.parametrize("fmt, op, bad, kind", list(_cases()))
def test_bad_record_is_skipped_counted_and_logged(monkeypatch, fmt, op, bad, kind):
    monkeypatch.setattr(regex_fns, "TIMEOUT", 0.05)
    engine = _engine(fmt)
    statement, expected = OPERATORS[op]
    engine.execute(statement)
    sources_before = sorted(engine.catalog.sources)
    key = b"\xff\x00garbage" if fmt == "NONE" else "k"
    for i, value in enumerate((GOOD[fmt], _bytes(bad), GOOD[fmt])):
        engine.produce("src", value, key=key, timestamp=1000 + i)
    engine.drain()
    engine.drain()                                    # nothing left over, nothing raised

    out = [q for q in engine.queries.values() if q.sink.topic == "OUT"][0].status()
    assert out["state"] == "RUNNING"
    assert out[STATUS_FIELD[kind]] == 1
    assert sum(out[f] for f in STATUS_FIELD.values()) == 1
    records = engine.records("OUT")
    if op in ("aggregate", "window_tumbling", "window_hopping", "window_session", "join_aggregate"):
        assert json.loads(records[-1].value)["T"] == expected
    else:
        assert len([r for r in records if r.value is not None]) == expected
    logged = [json.loads(r.value)["MESSAGE"] for r in engine.records("default_ksql_processing_log")]
    assert [m["TYPE"] for m in logged].count(kind) >= 1
    by = [q for q in engine.queries.values() if q.sink.topic == "BYSTANDER"][0].status()
    assert by["processing_errors"] == 0
    assert len(engine.records("BYSTANDER")) == (2 if kind == 0 else 3)
    assert sorted(engine.catalog.sources) == sources_before
    engine.close()
