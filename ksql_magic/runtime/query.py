"""A running query: reads its inputs from the broker, runs the plan, writes to its sink.

The same object serves ``Engine.drain()`` (deterministic, called batch by batch in the
global order of the input records) and the background runner (which just keeps calling
``poll``). Stateless plans run here; stateful ones (aggregation, joins) hand their rows to
the operator in ``plan.stateful``, which returns what to emit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..plan import QueryPlan
from . import guard
from .batch import BatchDecoder, stream_kernel
from .reader import NullKeyRecord, RowError, SourceReader
from .sink import Emit


@dataclass
class QueryStats:
    records_in: int = 0
    records_out: int = 0
    deser_errors: int = 0
    processing_errors: int = 0
    serialization_errors: int = 0
    late_dropped: int = 0
    stream_time: Optional[int] = None
    started: float = field(default_factory=time.monotonic)
    error: Optional[str] = None
    broker: Optional[str] = None     # 'unreachable: <reason>' while the broker is away

    def rate(self) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return self.records_in / elapsed


class _Input:
    """One input topic of a query, with its read positions and a small lookahead buffer."""

    def __init__(self, index: int, reader: SourceReader, broker, positions: dict[int, int]):
        self.index = index
        self.reader = reader
        self.topic = reader.source.topic
        self.broker = broker
        self.positions = positions
        self.buffers: dict[int, list] = {p: [] for p in positions}
        self.decoder = BatchDecoder(reader)

    def peek(self, partition: int, max_records: int = 1000):
        buf = self.buffers[partition]
        if not buf:
            buf.extend(self.broker.fetch(self.topic, partition, self.positions[partition], max_records))
        return buf

    def take(self, partition: int, n: int) -> list:
        buf = self.buffers[partition]
        taken, self.buffers[partition] = buf[:n], buf[n:]
        self.positions[partition] += len(taken)
        return taken


class Query:
    """A persistent or transient query bound to a broker and a sink."""

    def __init__(self, query_id: str, plan: QueryPlan, broker, sink, *, sql: str = "",
                 from_beginning: bool = True, on_error: Optional[Callable] = None,
                 persistent: bool = True, checkpoint=None):
        self.query_id = query_id
        self.plan = plan
        self.broker = broker
        self.sink = sink
        self.sql = sql
        self.persistent = persistent
        self.state = "RUNNING"
        self.stats = QueryStats()
        self.lock = threading.RLock()
        self._on_error = on_error or (lambda *a, **kw: None)
        if hasattr(sink, "on_error"):
            sink.on_error = self._sink_failed
        self.checkpoint = checkpoint
        self._pending: list[Emit] = []   # outputs produced but not yet acknowledged
        self._stopping = False
        if checkpoint is not None and plan.stateful is not None:
            checkpoint.restore_operator(plan.stateful)
            if checkpoint.refused is not None:
                self.refuse(checkpoint.refused)
        self.inputs: list[_Input] = []
        for i, binding in enumerate(plan.inputs):
            reader = SourceReader(binding)
            topic = binding.source.topic
            info = broker.topic(topic)
            parts = info.partitions if info else 1
            positions = {p: self._start(i, topic, p, from_beginning) for p in range(parts)}
            self.inputs.append(_Input(i, reader, broker, positions))
        self.emitted = 0
        self._kernel = stream_kernel(plan) if plan.stateful is None else None

    def refuse(self, reason: str) -> None:
        """Not started (or stopped): its state could not be restored or saved (the changelog
        module's rule)."""
        self.state = "ERROR"
        self.stats.error = reason
        self._on_error("processing", reason, None, self.query_id)

    def _start(self, index: int, topic: str, partition: int, from_beginning: bool) -> int:
        def reset() -> int:
            return 0 if from_beginning else _end_offset(self.broker, topic, partition)
        if self.checkpoint is None:
            return reset()
        return self.checkpoint.start_position(index, topic, partition,
                                              self.plan.stateful is not None, reset)

    # -- scheduling -------------------------------------------------------------------------
    def next_pending(self):
        """(seq, input, partition) of the earliest unprocessed record, or None."""
        if self.state != "RUNNING":
            return None
        best = None
        for inp in self.inputs:
            for p in inp.positions:
                buf = inp.peek(p)
                if buf:
                    cand = (order_key(buf[0]), inp.index, p)
                    if best is None or cand < best:
                        best = cand
        return best

    def run_until(self, inp_index: int, partition: int, bound) -> int:
        """Process records of one partition while their seq stays below ``bound``."""
        inp = self.inputs[inp_index]
        buf = inp.peek(partition)
        n = 1 if buf else 0   # the head is due by construction (ties: the earlier query first)
        while n < len(buf) and (bound is None or order_key(buf[n]) < bound):
            n += 1
        if n:
            self.flush_pending()    # before taking: a failure here must leave the input unread
            self.process(inp, inp.take(partition, n))
        return n

    def poll(self, max_records: int = 5000) -> int:
        """Process whatever is available (background runner); returns records processed."""
        total = 0
        while total < max_records:
            nxt = self.next_pending()
            if nxt is None:
                break
            _, i, p = nxt
            total += self.run_until(i, p, None)
        return total

    # -- processing -------------------------------------------------------------------------
    def heads(self, max_records: int = 5000) -> list:
        """[((input, partition), buffered records), ...] for partitions with records: one
        fetch each (partitions with nothing buffered are not waited for,
        max.task.idle.ms=0)."""
        if self.state != "RUNNING":
            return []
        heads = [((inp.index, p), inp.peek(p, max_records)) for inp in self.inputs
                 for p in inp.positions]
        return [h for h in heads if h[1]]

    def poll_merged(self, max_records: int = 5000) -> int:
        """One round on a broker without a global seq (Kafka): process the buffered records
        as Kafka Streams picks them (see ``_merge_runs``) and write the round's outputs in
        one acknowledged batch. Returns the records processed."""
        heads = self.heads(max_records)
        if not heads:
            return 0
        self.flush_pending()
        total = 0
        with self.lock:
            emits: list = []
            for (idx, p), n in _merge_runs(heads):
                inp = self.inputs[idx]
                emits.extend(self._compute_or_fail(inp, inp.take(p, n)))
                total += n
            self._finish(emits)
        return total

    def process(self, inp: _Input, records: list) -> None:
        with self.lock:
            if self.state != "RUNNING":
                return
            self._finish(self._compute_or_fail(inp, records))

    def _compute_or_fail(self, inp: _Input, records: list) -> list:
        """The last line of defence: bad records are handled per record inside the
        operators, so an exception here is a fault of the query itself. As in ksqlDB, the
        query goes to ERROR (its status says why) and stops; the others keep running and
        ``drain()`` / ``close()`` do not raise."""
        try:
            return self._compute(inp, records)
        except _Stopping:
            return []
        except Exception as e:  # noqa: BLE001 - one query's fault must not stop the engine
            self.state = "ERROR"
            self.stats.error = "%s: %s" % (type(e).__name__, guard.describe(e))
            self._on_error("processing", self.stats.error, None, self.query_id, cause=guard.causes(e))
            return []

    def _compute(self, inp: _Input, records: list) -> list:
        items = self._rows(inp, records)
        if self.plan.stateful is not None:
            with guard.reporting(self._item_failed):
                emits = self.plan.stateful.process(inp.index, items)
            self.stats.late_dropped = getattr(self.plan.stateful, "late_dropped", 0)
            return emits
        if inp.reader.is_table:
            return self._table_rows(items)
        return self._stream_rows(items)

    def _finish(self, emits: list) -> None:
        if emits:
            self._emit(emits)
        if self.checkpoint is not None and self.checkpoint.due():
            self.checkpoint.commit(self)

    def flush_pending(self) -> None:
        """Write outputs whose earlier write failed (the broker was away). Until they are
        acknowledged nothing is committed, so a crash meanwhile loses nothing."""
        if self._pending:
            pending = self._pending
            delivered = self.sink.write(pending, self._room())
            self._pending = []
            self._count(delivered)

    def commit(self) -> None:
        """Commit the input positions now (outputs acknowledged first)."""
        with self.lock:
            if self.checkpoint is None:
                return
            self.flush_pending()
            self.checkpoint.commit(self)

    def _rows(self, inp: _Input, records: list) -> list:
        """Records -> (row, is_delete, record), decoded a batch at a time (runtime/batch.py)."""
        self.stats.records_in += len(records)
        out = inp.decoder.rows(records, self._bad_record)
        ts_slot = inp.reader.key_count + inp.reader.value_count + len(inp.reader.headers)
        st = self.stats.stream_time
        for item in out:
            ts = item[0][ts_slot]
            if st is None or ts > st:
                st = ts
        self.stats.stream_time = st
        return out

    def _bad_record(self, rec, e: Exception) -> None:
        """A record no decoder could read (RowError, or anything a decoder let through)."""
        self.stats.deser_errors += 1
        msg = str(e) if isinstance(e, RowError) else guard.describe(e)
        self._on_error("deserialization", msg, rec, self.query_id, cause=guard.causes(e))

    def _stream_rows(self, items: list) -> list[Emit]:
        """The batch kernel when it covers the batch (no null value), a record that raises
        logged and skipped by the shared per-record boundary; else record by record."""
        if self._kernel is not None and not any(item[1] for item in items):
            out: list = []
            kernel = self._kernel
            with guard.reporting(self._item_failed):
                guard.each_record(items, lambda it: kernel(it, Emit, out))
            return out
        return self._stream_rows_each(items)

    def _stream_rows_each(self, items: list) -> list[Emit]:
        plan = self.plan
        where = plan.where
        keys = [c.fn for c in plan.key_columns]
        vals = [c.fn for c in plan.value_columns]
        ts_slot = plan.inputs[0].rowtime_index
        out = []
        explode = plan.table_functions
        for row, deleted, rec in items:
            try:
                if deleted:
                    # a null-value stream record passes through as a null value (ksqlDB)
                    if where is None and not explode:
                        tomb = plan.tombstone_key_fns
                        k = [f(row) for f in tomb] if tomb is not None else _key(keys, row, rec, plan)
                        out.append(Emit(k, None, row[ts_slot], rec.seq, _window(row, plan)))
                    continue
                if where is not None and where(row) is not True:
                    continue
                if explode:
                    out.extend(_exploded(plan, row, rec, ts_slot))
                    continue
                out.append(Emit(_key(keys, row, rec, plan), [f(row) for f in vals], row[ts_slot], rec.seq,
                                _window(row, plan)))
            except Exception as e:  # noqa: BLE001 - a record that breaks an expression is logged
                self._record_failed(rec, e)
        return out

    def _table_rows(self, items: list) -> list[Emit]:
        plan = self.plan
        keys = [c.fn for c in plan.key_columns]
        tomb_keys = keys or _named_key_fns(plan)
        vals = [c.fn for c in plan.value_columns]
        ts_slot = plan.inputs[0].rowtime_index
        out = []
        for row, deleted, rec in items:
            try:
                if deleted or (plan.where is not None and plan.where(row) is not True):
                    k = [f(row) for f in tomb_keys]
                    out.append(Emit(k, None, row[ts_slot], rec.seq, _window(row, plan)))
                    continue
                k = [f(row) for f in keys]
                out.append(Emit(k, [f(row) for f in vals], row[ts_slot], rec.seq, _window(row, plan)))
            except Exception as e:  # noqa: BLE001 - the same boundary as _stream_rows
                self._record_failed(rec, e)
        return out

    # -- the per-record boundary ------------------------------------------------------------
    def _record_failed(self, rec, exc: BaseException) -> None:
        """A record an operator could not process: skipped, counted in the status and
        written to the processing log (ksqlDB's RECORDPROCESSINGERROR); the query goes on,
        unless it is being stopped: then the batch ends here."""
        if self._stopping:
            raise _Stopping() from None
        self.stats.processing_errors += 1
        self._on_error("processing", guard.describe(exc), rec, self.query_id,
                       cause=guard.causes(exc))

    def _item_failed(self, item, exc: BaseException) -> None:
        """``guard.each_record``'s reporter for the stateful operators."""
        self._record_failed(guard.record_of(item), exc)

    def _sink_failed(self, kind: str, message: str, record=None, **kw) -> None:
        """An output the sink could not serialize: ksqlDB logs a SERIALIZATIONERROR and
        drops that output (state already updated stays updated, as in Kafka Streams)."""
        self.stats.serialization_errors += 1
        self._on_error(kind, message, record, self.query_id, **kw)

    def _emit(self, emits: list[Emit]) -> None:
        ts_index = self.plan.output_timestamp
        if ts_index is not None:
            nkeys = len(self.plan.key_columns)
            emits = [r for r in (_retime(e, ts_index, nkeys, self.plan.output_timestamp_fn) for e in emits)
                     if r is not None]
        try:
            delivered = self.sink.write(emits, self._room())
        except Exception:
            self._pending = list(emits)
            raise
        self._count(delivered)

    def _room(self) -> Optional[int]:
        """How many more rows LIMIT lets through (None: no LIMIT). The sink counts them as
        ksqlDB does: rows the client receives, not records the query computed."""
        limit = self.plan.limit
        return None if limit is None else max(limit - self.emitted, 0)

    def _count(self, delivered: int) -> None:
        limit = self.plan.limit
        self.emitted += delivered
        self.stats.records_out = self.sink.records_out
        if limit is not None and self.emitted >= limit:
            self.state = "DONE"

    def stop(self) -> None:
        """Stop the query. ``_stopping`` is raised first, without the lock, so a batch
        crawling through failing records (each one a regex timeout) gives up at its next
        failure instead of holding the lock, and the caller (a Stop button) for its whole
        length."""
        self._stopping = True
        with self.lock:
            if self.state == "RUNNING":
                self.state = "STOPPED"

    def status(self) -> dict:
        s = self.stats
        return {"query_id": self.query_id, "state": self.state, "records_in": s.records_in,
                "records_out": s.records_out, "rate": round(s.rate(), 1), "stream_time": s.stream_time,
                "late_dropped": s.late_dropped, "deser_errors": s.deser_errors,
                "processing_errors": s.processing_errors,
                "serialization_errors": s.serialization_errors, "error": s.error,
                "broker": s.broker or "connected"}


class _Stopping(Exception):
    """Ends a batch early when the query is stopped while records in it are failing."""


def order_key(rec) -> tuple:
    """Processing order across partitions and topics: the seq of a record this engine
    produced (the embedded broker's global counter; on Kafka, ``ProducedOrder``'s tag),
    else timestamp, then (topic, partition, offset), as Kafka Streams picks."""
    return rec.seq or (rec.timestamp, rec.topic, rec.partition, rec.offset)


def poll_merged_together(queries: list) -> int:
    """One round for queries writing to the same topic (INSERT INTO beside its CREATE ...
    AS): their records interleaved as one query's would be, each run's outputs written
    before the next run, so the shared topic holds them in drain()'s order."""
    if len(queries) == 1:
        return queries[0].poll_merged()
    heads = [((qi,) + k, buf) for qi, q in enumerate(queries) for k, buf in q.heads()]
    if not heads:
        return 0
    for q in queries:
        q.flush_pending()
    total = 0
    for (qi, idx, p), n in _merge_runs(heads):
        q = queries[qi]
        inp = q.inputs[idx]
        q.process(inp, inp.take(p, n))
        total += n
    return total


def _merge_runs(heads) -> list:
    """Kafka Streams' choice across partitions: always the partition whose next record comes
    first (``order_key``: produce order, else the smallest timestamp), each partition in
    offset order (a partition's records need not be in time order). The round ends when a
    partition's buffer runs out, so it is fetched again before the others run ahead of it.
    ``heads`` is [(partition id, buffered records), ...]; returns [(partition id, count), ...].

    Computed run by run, not record by record: the chosen partition keeps going while its
    records come before every other partition's head (with one partition: all of it)."""
    bufs = dict(heads)
    pos = dict.fromkeys(bufs, 0)
    runs: list = []
    while True:
        heads_now = sorted((order_key(bufs[b][pos[b]]), b) for b in bufs)
        k = heads_now[0][1]
        buf, i = bufs[k], pos[k]
        if len(heads_now) == 1:
            i = len(buf)
        else:
            bound = heads_now[1][0]
            i += 1
            while i < len(buf) and order_key(buf[i]) < bound:
                i += 1
        runs.append((k, i - pos[k]))
        pos[k] = i
        if i == len(buf):
            return runs


def _key(keys, row, rec, plan: QueryPlan):
    """The output key; a null input key passes through as null unless the query re-keys."""
    if rec.key is None and not plan.partition_by:
        return None
    return [f(row) for f in keys]


def _named_key_fns(plan: QueryPlan) -> list:
    """A transient query keeps its key columns among the values, where a tombstone has none:
    its key is read from the row by the columns ``plan.key_names`` names, so a live view
    can tell which row the delete removes."""
    by_name = {c.name: c.fn for c in plan.columns}
    return [by_name[n] for n in plan.key_names]


def _exploded(plan: QueryPlan, row, rec, ts_slot: int) -> list[Emit]:
    """Table functions: one output row per element, zipped to the longest list."""
    nkeys = len(plan.key_columns)
    key = [c.fn(row) for c in plan.key_columns]
    values = [c.fn(row) for c in plan.value_columns]
    tf = [i - nkeys for i in plan.table_functions]
    lists = [values[i] or [] for i in tf]
    out = []
    for n in range(max((len(x) for x in lists), default=0)):
        v = list(values)
        for i, lst in zip(tf, lists):
            v[i] = lst[n] if n < len(lst) else None
        out.append(Emit(key, v, row[ts_slot], rec.seq))
    return out


def _retime(e: Emit, index: int, nkeys: int, convert=None) -> Emit:
    if e.value is None:
        return e
    ts = (e.key[index] if e.key else None) if index < nkeys else e.value[index - nkeys]
    if ts is None:
        return e
    try:
        ts = int(convert(ts) if convert else ts)
    except Exception:  # noqa: BLE001 - an unreadable output timestamp drops the record (ksqlDB)
        return None
    return e._replace(timestamp=ts) if ts >= 0 else None


def _window(row, plan: QueryPlan):
    w = plan.windowed
    if w is None:
        return None
    b = plan.inputs[0]
    i = len(b.scope.slots) - 2
    return (row[i], row[i + 1])


def _end_offset(broker, topic: str, partition: int) -> int:
    end = getattr(broker, "end_offset", None)
    if end is not None:
        return end(topic, partition)
    offset = 0
    while True:
        batch = broker.fetch(topic, partition, offset, 10000)
        if not batch:
            return offset
        offset = batch[-1].offset + 1
