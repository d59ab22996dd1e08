"""The batch path: a query's input batch decoded column by column, WHERE and SELECT run as
one generated loop per batch.

Why: the row path pays Python call overhead several times per record (a decode call, a
compiled lambda per expression, a key lambda, list concatenations). Here a batch of records
from one partition is decoded in one call: every JSON value is parsed (orjson, one C call
each), then each value column is gathered for the whole batch and type-checked column-wise
against the tests ``json_format``'s compiled reader uses, so a value that the row reader would
return unchanged is taken as is. A record whose value needs anything else (a coercion, a
case-insensitive field match, a parse failure, an exact-digits re-read) is decoded by the
row path's ``SourceReader.row`` in its place: same row, same error, same processing-log
entry, and the rest of the batch stays on the batch path.

Stateless stream queries (filter + project) then run one generated function per batch
that inlines the WHERE and the SELECT expressions' compiled code (``ExprCompiler``
attaches it to each row function). If an expression raises, that record is logged and the
loop resumes after it (``guard.each_record``: the bad record is evaluated once, which
matters when it cost a regex timeout); a batch holding a null-value record runs through
the row path instead. A poison record never costs its batch.

Measured (1000 JSON values like benchmarks/workloads_bench.py's; timeit, best of 5):
orjson per value 723 us, orjson over the values joined into one array 352 us, but a
joined parse is not safe: values that are not JSON on their own can combine into an array
of the right length (``{"a":[{}`` + ``{}]}`` + ``{},{}``), so rows would shift; per-value
parsing stays. ``amount > 500`` over the batch: numpy (fromiter + compare + gather) 50 us,
an inlined comprehension 71 us; the filter is a few percent of a query's time and numpy
needs null masks and a trip back to Python rows, so the generated loop is used.
pyarrow/polars are not installed and their JSON readers do not apply ksqlDB's coercions
(case-insensitive names, numeric strings, INT wrap-around).
"""

from __future__ import annotations

from typing import Callable, Optional

from ..serde.json_codec import loads as _loads
from ..serde.json_format import is_wrapped
from ..serde.validate import normalize_format
from .reader import NullKeyRecord, RowError, SourceReader

_MISSING = object()
_I32 = (-2147483648, 2147483647)
_I64 = (-9223372036854775808, 9223372036854775807)


def _ready_test(base: str) -> Optional[Callable[[list], list]]:
    """For a column type: a function returning the indexes of gathered values that the row
    reader would NOT return unchanged (json_format._NOT_READY, plus a JSON null present
    under the column's name, which it reads as NULL); None: the type is not covered."""
    if base == "STRING":
        return lambda col: [] if all(type(v) is str or v is None for v in col) else \
            [i for i, v in enumerate(col) if type(v) is not str and v is not None]
    if base == "DOUBLE":
        return lambda col: [] if all(type(v) is float or v is None for v in col) else \
            [i for i, v in enumerate(col) if type(v) is not float and v is not None]
    if base == "BOOLEAN":
        return lambda col: [i for i, v in enumerate(col)
                            if v is not True and v is not False and v is not None]
    if base in ("INTEGER", "DATE", "BIGINT", "TIMESTAMP"):
        lo, hi = _I32 if base in ("INTEGER", "DATE") else _I64
        return lambda col: [i for i, v in enumerate(col)
                            if v is not None and (type(v) is not int or not lo <= v <= hi)]
    return None


class BatchDecoder:
    """Decodes a list of records into (row, is_delete, record) items, columnar where the
    source allows it (JSON values with scalar columns, no headers, not windowed, no
    TIMESTAMP column), else record by record through ``SourceReader.row``."""

    def __init__(self, reader: SourceReader):
        self.reader = reader
        src = reader.source
        cols = [(c.name, c.type) for c in src.value_columns]
        tests = [_ready_test(t.base) for _, t in cols]
        self.columnar = (
            normalize_format(src.value_format) == "JSON" and bool(cols)
            and is_wrapped(cols, False, src.properties) and all(t is not None for t in tests)
            and not reader.headers and reader.windowed is None and reader.extract_ts is None)
        self.names = [(n, n.lower()) for n, _ in cols]
        keys = src.key_columns
        self.string_key = (len(keys) == 1 and keys[0].type.base == "STRING"
                           and normalize_format(src.key_format) == "KAFKA")
        self.tests = tests

    def rows(self, records: list, on_bad: Callable) -> list:
        """Items for ``records`` in order; ``on_bad(record, exception)`` for each bad one."""
        if not self.columnar or len(records) < 8:
            return self._row_path(records, on_bad)
        slow = self._fast_values(records)
        if slow is None:
            return self._row_path(records, on_bad)
        values, slow = slow
        keys = self._keys(records, slow)
        nulls = [None] * self.reader.value_count
        is_table = self.reader.is_table
        out = []
        append = out.append
        for i, rec in enumerate(records):
            if i in slow:                 # decoded by the row reader, as the row path does
                out.extend(self._row_path((rec,), on_bad))
                continue
            if is_table and rec.key is None:
                continue
            v = values[i]
            if v is None:
                append((keys[i] + nulls + [rec.timestamp, rec.partition, rec.offset], True, rec))
            else:
                append((keys[i] + v + [rec.timestamp, rec.partition, rec.offset], False, rec))
        return out

    def _row_path(self, records, on_bad: Callable) -> list:
        """The row reader record by record: a null-key table record is skipped, a record no
        decoder can read goes to ``on_bad``."""
        row_of = self.reader.row
        out = []
        for rec in records:
            try:
                row, deleted = row_of(rec)
            except NullKeyRecord:
                continue
            except Exception as e:  # noqa: BLE001 - RowError, or anything a decoder let through
                on_bad(rec, e)
                continue
            out.append((row, deleted, rec))
        return out

    def _fast_values(self, records: list):
        """(per-record value lists or None for a null value, set of indexes for the row path),
        or None when most of the batch would need the row path anyway."""
        slow: set = set()
        try:
            parsed = [None if (v := rec.value) is None else _loads(v) for rec in records]
        except Exception:   # noqa: BLE001 - some value does not parse: find which, one by one
            parsed = [_parse_or_none(rec.value) for rec in records]
        if all(type(d) is dict for d in parsed):      # the common case: every value an object
            present, dicts = range(len(parsed)), parsed
        else:
            for i, d in enumerate(parsed):
                if type(d) is not dict and (d is not None or records[i].value is not None):
                    slow.add(i)
                    parsed[i] = None
            present = [i for i, d in enumerate(parsed) if d is not None]
            if len(present) < len(records) // 2:
                return None
            dicts = [parsed[i] for i in present]
        columns = []
        for (name, lower), test in zip(self.names, self.tests):
            col = [d.get(name, _MISSING) for d in dicts]
            if name != lower:
                miss = [j for j, v in enumerate(col) if v is _MISSING]
                for j in miss:
                    col[j] = dicts[j].get(lower, _MISSING)
            for j in test(col):
                slow.add(present[j])
            columns.append(col)
        if dicts is parsed:
            return list(map(list, zip(*columns))), slow
        values: list = [None] * len(records)
        for i, row in zip(present, zip(*columns)):
            values[i] = list(row)
        return values, slow

    def _keys(self, records: list, slow: set) -> list:
        """Key column values per record; a key that fails to decode sends its record to the
        row path (which raises the same RowError)."""
        r = self.reader
        if r.key_serde is None:
            return [[]] * len(records)
        nulls = [None] * r.key_count
        if self.string_key and all(type(rec.key) is bytes for rec in records):
            # KAFKA STRING keys: kafka_format's read (UTF-8, malformed bytes replaced) inline
            return [[rec.key.decode("utf-8", "replace")] for rec in records]
        kd = r.key_serde.deserialize
        out = []
        for i, rec in enumerate(records):
            try:
                k = kd(rec.key)
            except Exception:   # noqa: BLE001 - the row path reports it exactly
                slow.add(i)
                k = None
            out.append(nulls if k is None else k)
        return out


def _parse_or_none(v):
    if v is None:
        return None
    try:
        return _loads(v)
    except Exception:   # noqa: BLE001 - the row path reports it exactly
        return _MISSING


def stream_kernel(plan) -> Optional[Callable]:
    """For a stateless stream plan: ``run(items, Emit, out)`` appending the emits to
    ``out``, WHERE, key and value expressions inlined in one loop, or None when the plan is
    not covered (table functions, an expression without source text). Raises whatever an
    expression raises, before appending anything for that record: the caller
    (``guard.each_record``) logs the record and resumes the loop after it."""
    fns = [c.fn for c in plan.key_columns] + [c.fn for c in plan.value_columns]
    where = plan.where
    if plan.table_functions or plan.windowed is not None:
        return None
    parts = fns + ([where] if where is not None else [])
    owner = where if hasattr(where, "ksql_ns") else next((f for f in parts if hasattr(f, "ksql_ns")), None)
    base = owner.ksql_ns if owner is not None else {}
    ns = dict(base)

    def code(i: int, f) -> str:
        """Inline the function's source when it was compiled in the shared namespace,
        else call it (names like _k0 mean different constants in another compiler's)."""
        if getattr(f, "ksql_ns", None) is base:
            return "(%s)" % f.ksql_code
        ns["_batch_f%d" % i] = f
        return "_batch_f%d(r)" % i

    codes = [code(i, f) for i, f in enumerate(parts)]
    nkeys = len(plan.key_columns)
    key_code = ", ".join(codes[:nkeys])
    val_code = ", ".join(codes[nkeys:len(fns)])
    ts_slot = plan.inputs[0].rowtime_index
    lines = ["def run(items, Emit, rekey, out):",
             "    append = out.append",
             "    for r, deleted, rec in items:"]
    if where is not None:
        lines.append("        if %s is not True:" % codes[-1])
        lines.append("            continue")
    lines.append("        key = [%s] if (rekey or rec.key is not None) else None" % key_code)
    lines.append("        append(Emit(key, [%s], r[%d], rec.seq, None))" % (val_code, ts_slot))
    exec("\n".join(lines), ns)   # noqa: S102 - our own compiled expression code
    run = ns["run"]
    rekey = bool(plan.partition_by)
    return lambda items, Emit, out: run(items, Emit, rekey, out)


class NoFullCollections:
    """While queries drain, the cyclic GC still collects the young generations but does not
    run full collections. Why: operator state (groups, accumulators, window maps) is large,
    long-lived and acyclic; each full collection walks all of it and frees nothing, so a
    drain slowed down as state grew (W2 at 200,000 events: drain 1.72 s CPU with full
    collections, 0.67 s without; 15 full collections, 0 objects collected). The thresholds
    are restored afterwards, so a cycle promoted meanwhile is collected by the next full
    collection."""

    def __enter__(self):
        import gc
        self._old = gc.get_threshold()
        gc.set_threshold(self._old[0], self._old[1], 1 << 30)
        return self

    def __exit__(self, *exc):
        import gc
        gc.set_threshold(*self._old)
        return False
