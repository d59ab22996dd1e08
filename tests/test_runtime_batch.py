"""The batch path (runtime/batch.py) gives exactly what the row path gives: same rows, same
outputs in the same order, same deserialization errors; a bad record costs only itself."""

import json

from ksql_magic import Engine
from ksql_magic.runtime.batch import BatchDecoder

DDL = ("CREATE STREAM pay (acct VARCHAR KEY, amount DOUBLE, qty INT, note VARCHAR, ok BOOLEAN) "
       "WITH (KAFKA_TOPIC='pay', VALUE_FORMAT='JSON', PARTITIONS=1);")


def _engine(query: str) -> Engine:
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute(DDL)
    e.execute(query)
    return e


def _values(n: int) -> list:
    return [json.dumps({"AMOUNT": 10.5 * i, "QTY": i, "NOTE": "n%d" % i, "OK": i % 2 == 0})
            for i in range(n)]


def _odd_values() -> list:
    """Values the columnar decoder must hand to the row reader: coercions, other cases,
    nulls, missing fields, unparseable JSON, a JSON array, a null value."""
    return ['{"amount": "12.25", "qty": "7", "note": 5}',
            '{"AmOuNt": 3.5, "Qty": 2, "NoTe": "mixed", "oK": false}',
            '{"AMOUNT": null, "QTY": null}',
            '{"AMOUNT": 1, "QTY": 3000000000, "NOTE": "big"}',
            '{not json',
            '[1, 2]',
            None,
            '{"AMOUNT": 2.5, "QTY": 1.9, "NOTE": ["a"], "OK": null}']


def _decode_both(values: list):
    e = _engine("CREATE STREAM copy AS SELECT * FROM pay;")
    for i, v in enumerate(values):
        e.produce("pay", v, key="k%d" % (i % 3), timestamp=1000 + i)
    reader = e.queries[next(iter(e.queries))].inputs[0].reader
    records = e.broker.fetch("pay", 0, 0, 1000)
    errors_batch, errors_row = [], []
    batch = BatchDecoder(reader).rows(records, lambda rec, err: errors_batch.append((rec.offset, str(err))))
    rows = []
    for rec in records:
        try:
            rows.append((*reader.row(rec), rec))
        except Exception as err:  # noqa: BLE001
            errors_row.append((rec.offset, str(err)))
    return batch, rows, errors_batch, errors_row


def test_batch_decoder_matches_row_reader_on_mixed_batch():
    values = _values(20) + _odd_values() + _values(5)
    batch, rows, errors_batch, errors_row = _decode_both(values)
    assert [(r, d, rec.offset) for r, d, rec in batch] == [(r, d, rec.offset) for r, d, rec in rows]


def test_batch_decoder_reports_the_same_bad_records():
    values = _values(20) + _odd_values() + _values(5)
    _, _, errors_batch, errors_row = _decode_both(values)
    assert errors_batch == errors_row
    assert len(errors_batch) == 2      # '{not json' and '[1, 2]'


def test_poison_record_keeps_the_rest_of_its_batch():
    e = _engine("CREATE STREAM big AS SELECT acct, amount FROM pay WHERE amount > 50;")
    for i, v in enumerate(_values(30)[:15] + ['{oops'] + _values(30)[15:]):
        e.produce("pay", v, key="a", timestamp=i)
    e.drain()
    out = [json.loads(r.value)["AMOUNT"] for r in e.records("BIG")]
    assert out == [10.5 * i for i in range(30) if 10.5 * i > 50]
    assert e.query_status(next(iter(e.queries)))["deser_errors"] == 1


def test_filter_project_kernel_emits_what_the_row_path_emits():
    e = _engine("CREATE STREAM big AS SELECT acct, amount * 2 AS twice, UCASE(note) AS n "
                "FROM pay WHERE qty % 3 = 0 AND ok;")
    for i, v in enumerate(_values(40)):
        e.produce("pay", v, key=None if i % 7 == 0 else "a%d" % i, timestamp=i)
    q = e.queries[next(iter(e.queries))]
    items = q._rows(q.inputs[0], e.broker.fetch("pay", 0, 0, 1000))
    assert q._kernel is not None
    assert q._stream_rows(items) == q._stream_rows_each(items)


def test_null_value_in_batch_passes_through_as_row_path_does():
    e = _engine("CREATE STREAM copy AS SELECT acct, amount FROM pay;")
    values = _values(10)
    values[4] = None
    for i, v in enumerate(values):
        e.produce("pay", v, key="k", timestamp=i)
    e.drain()
    out = [r.value for r in e.records("COPY")]
    assert len(out) == 10 and out[4] is None and out[5] is not None


def test_array_subscript_in_kernel_matches_row_path():
    e = _engine("CREATE STREAM parts AS SELECT acct, SPLIT(note, '')[10] AS c, qty FROM pay "
                "WHERE qty < 100;")
    q = e.queries[next(iter(e.queries))]
    for i, v in enumerate(_values(12)):
        e.produce("pay", v, key="k", timestamp=i)
    items = q._rows(q.inputs[0], e.broker.fetch("pay", 0, 0, 1000))
    assert q._stream_rows(items) == q._stream_rows_each(items)


HOP = ("CREATE TABLE sums AS SELECT merchant, SUM(amount) AS total, COUNT(*) AS n FROM sales "
       "WINDOW HOPPING (SIZE 5 SECONDS, ADVANCE BY 1 SECOND, GRACE PERIOD 2 SECONDS) "
       "GROUP BY merchant HAVING COUNT(*) > 1;")


def _hopping_outputs(batch_kernels: bool) -> tuple:
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM sales (id VARCHAR KEY, merchant VARCHAR, amount DOUBLE) "
              "WITH (KAFKA_TOPIC='sales', VALUE_FORMAT='JSON', PARTITIONS=1);")
    e.execute(HOP)
    q = e.queries[next(iter(e.queries))]
    agg = q.plan.stateful
    if not batch_kernels:
        agg._hopping_cached, agg._flush = False, None
    ts = [1000, 1500, 7000, 2000, 3100, 9000, 1200, 12000, 6500, 13000, 4000, 20000]
    for i, t in enumerate(ts):
        merchant = None if i == 5 else "m%d" % (i % 3)
        e.produce("sales", json.dumps({"MERCHANT": merchant, "AMOUNT": 0.1 * (i + 1)}),
                  key="k", timestamp=t)
    e.drain()
    return ([(r.key, r.value, r.timestamp) for r in e.records("SUMS")], agg.late_dropped,
            agg.null_key_dropped)


def test_hopping_kernel_emits_what_the_generic_window_loop_emits():
    fast, slow = _hopping_outputs(True), _hopping_outputs(False)
    assert fast == slow
    assert fast[1] > 0 and fast[2] == 1          # late windows and the null key were seen


def test_drain_defers_full_collections_and_restores_thresholds():
    import gc
    before = gc.get_threshold()
    seen = []
    e = _engine("CREATE STREAM copy AS SELECT acct, amount FROM pay;")
    e.produce("pay", _values(1)[0], key="k", timestamp=1)
    q = e.queries[next(iter(e.queries))]
    process = q.process
    q.process = lambda *a: (seen.append(gc.get_threshold()), process(*a))
    e.drain()
    assert seen and seen[0][2] > before[2] and seen[0][:2] == before[:2]
    assert gc.get_threshold() == before
