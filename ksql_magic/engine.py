"""Engine: the programmatic API (execute / produce / drain / records) over a broker.

``execute`` splits the text, substitutes variables, parses each statement and runs it with
the handler its statement type maps to (``executor.HANDLERS``). A statement that fails
leaves the catalog exactly as it was: handlers work on a snapshot that replaces the live
catalog only on success.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from typing import Any, Optional

from .brokers import connect
from .brokers.base import BrokerError, Record
from .catalog import Catalog
from .errors import KsqlError, KsqlInternalError, KsqlRuntimeError, KsqlStatementError
from .properties import DEFAULT_PROPERTIES, normalise_properties
from .results import Result
from .runtime.batch import NoFullCollections
from .runtime.query import order_key, poll_merged_together
from .serde.objects import is_object, serialize_objects

_LIVE_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()
BOOTSTRAP_ENV = "KSQL_MAGIC_BOOTSTRAP"   # default bootstrap servers when none are given
_YIELD_EVERY_S = 0.005                   # drain lets a waiting caller in this often


class Engine:
    """A ksqlDB-dialect streaming SQL engine living in this process."""

    def __init__(self, properties: Optional[dict] = None, *, broker=None,
                 bootstrap_servers: Optional[str] = None, client: str = "kafka-python",
                 flink: Optional[str] = None, flink_rest: Optional[str] = None,
                 **client_config):
        from .validation import check_property
        given = normalise_properties(properties or {})
        for name, value in given.items():
            check_property(name, value, None)    # the types SET enforces, before connecting
        if broker is None:
            bootstrap_servers = bootstrap_servers or os.environ.get(BOOTSTRAP_ENV) or None
            if bootstrap_servers:
                try:
                    broker = connect(bootstrap_servers, client, **client_config)
                except BrokerError as e:
                    raise KsqlRuntimeError(str(e)) from None
            else:
                from .brokers.memory import MemoryBroker
                broker = MemoryBroker()
        self.broker = broker
        self.properties: dict[str, str] = dict(DEFAULT_PROPERTIES)
        self.properties.update(given)
        self.variables: dict[str, str] = {}
        self.catalog = Catalog()
        from .functions.registry import default_registry
        self.functions = default_registry()
        self.queries: dict[str, Any] = {}      # persistent and transient runtime queries
        self.handles: dict[str, Any] = {}
        self._transient_seq = 0
        self._statement_topics: Optional[list] = None   # topics the running statement made
        self._lock = threading.RLock()
        self._runner: Optional[threading.Thread] = None
        self._stop = threading.Event()
        from .processing_log import ProcessingLog
        self.processing_log = ProcessingLog(self)
        # --- Flink backend (ksql_magic/flink/engine_bridge.py): persistent queries run there
        self.flink = None
        if flink:
            from .flink.engine_bridge import attach
            self.flink = attach(self, flink, bootstrap_servers, flink_rest)
        # --- end Flink backend
        _LIVE_ENGINES.add(self)

    # ================================================================= statements ===
    def execute(self, sql: str) -> list[Result]:
        """Run one or more ';'-separated statements in order; one Result each. A statement
        that fails raises KsqlError and leaves the engine as it was before it (catalog,
        topics, running queries, properties, variables); the ones before it stay done."""
        from .sql.parser import parse_statement, split_statements
        from .sql.variables import substitute_variables
        from .compiler.depth import statement_depth
        from .sql.ast import RunScript
        results = []
        for piece in _parse_guard(lambda: split_statements(sql), 1, 1, sql):
            text = substitute_variables(piece.text, self.variables) if self.variables else piece.text
            stmt = _parse_guard(lambda: parse_statement(text, piece.line, piece.column),
                                piece.line, piece.column, sql)
            if isinstance(stmt, RunScript):       # the script's statements, one Result each
                from .admin import script_text
                results.extend(self.execute(script_text(stmt)))
                continue
            with self._lock, statement_depth():
                results.append(self._run_statement(stmt, sql))
        return results

    def _run_statement(self, stmt, sql: str) -> Result:
        """Validate, then run, one statement as a transaction."""
        from .executor import execute_statement
        from .validation import check_statement

        def step():
            check_statement(stmt)
            return execute_statement(self, stmt)
        return self._transaction(step, stmt.pos.line or None, stmt.pos.column or None, sql)

    def _statement(self, step, sql: str = ""):
        """A handler called with a statement tree the engine built itself (``watch``,
        ``terminate``: names never go through SQL text), with the same transaction."""
        with self._lock:
            return self._transaction(step, None, None, sql)

    def _transaction(self, step, line, column, sql: str):
        """Run ``step`` so that any failure rolls back what it had done and surfaces as a
        KsqlError at the statement's position."""
        state = _StatementState(self)
        outer_topics, self._statement_topics = self._statement_topics, []
        try:
            return step()
        except KsqlError as e:
            state.restore(self)
            raise e.with_position(line, column, statement=sql or None)
        except BrokerError as e:
            state.restore(self)
            raise KsqlRuntimeError(str(e), line, column, statement=sql or None) from None
        except RecursionError:
            state.restore(self)
            raise KsqlStatementError("Statement is too deeply nested to run", line, column) from None
        except Exception as e:  # noqa: BLE001 - the promise: execute() raises only KsqlError
            state.restore(self)
            raise KsqlInternalError("%s: %s" % (type(e).__name__, e), line, column,
                                    statement=sql or None) from e
        finally:
            self._statement_topics = outer_topics

    # ================================================================= schema registry ===
    @property
    def registry(self):
        """The serdes' view of the schema registry (serde.registry.Registry), made on first
        use: a private in-memory registry unless ``ksql.schema.registry.url`` is set."""
        reg = self.__dict__.get("_registry")
        if reg is None:
            from .serde.registry import Registry, make_client
            reg = self._registry = Registry(make_client(self.properties))
        return reg

    @property
    def schema_registry(self):
        """The ``confluent_kafka.schema_registry.SchemaRegistryClient`` of the registry formats
        (AVRO, PROTOBUF, JSON_SR)."""
        return self.registry.client

    # ================================================================= data in/out ===
    def create_topic(self, topic: str, partitions: int = 1, replicas: int = 1) -> None:
        """Create a topic; one created by a statement is deleted again if the statement fails."""
        self.broker.create_topic(topic, partitions, replicas)
        if getattr(self, "_statement_topics", None) is not None:
            self._statement_topics.append(topic)

    def produce(self, topic: str, value, key=None, timestamp: Optional[int] = None,
                partition: Optional[int] = None, headers=None) -> Record:
        """Append one record exactly as a Kafka producer would (str is encoded UTF-8); a
        missing topic is created with one partition. A Python object (dict, list, number) as
        key or value is written as the row INSERT VALUES would write, in the format of the
        source declared on ``topic``."""
        key, value = serialize_objects(self, topic, key, value)
        broker = self.broker
        if broker.topic(topic) is None:
            broker.create_topic(topic, 1)
        if value is not None and value.__class__ is not bytes:
            value = _as_bytes(value)
        if key is not None and key.__class__ is not bytes:
            key = _as_bytes(key)
        return broker.produce(topic, key, value, timestamp, partition,
                              _headers(headers) if headers else ())

    def produce_batch(self, topic: str, values, keys=None, timestamps=None,
                      partition: Optional[int] = None) -> int:
        """Append many records, the same as ``produce`` called for each in turn: same
        encoding, same partition (``partition``, else Kafka's partitioner on the key, else
        round robin), produce order kept for ``drain()``. ``keys`` and ``timestamps`` are
        sequences as long as ``values`` (None: null keys, the time now). Returns the count.
        The embedded broker takes the columns whole (several times faster than the loop)."""
        broker = self.broker
        if broker.topic(topic) is None:
            broker.create_topic(topic, 1)
        values = list(values)
        n = len(values)
        keys = [None] * n if keys is None else list(keys)
        timestamps = [None] * n if timestamps is None else list(timestamps)
        if len(keys) != n or len(timestamps) != n:
            raise ValueError("produce_batch: %d values but %d keys and %d timestamps"
                             % (n, len(keys), len(timestamps)))
        if any(map(is_object, values)) or any(map(is_object, keys)):
            pairs = [serialize_objects(self, topic, k, v) for k, v in zip(keys, values)]
            keys, values = [k for k, _ in pairs], [v for _, v in pairs]
        values = [_as_bytes(v) for v in values]
        keys = [_as_bytes(k) for k in keys]
        bulk = getattr(broker, "produce_values", None)
        if bulk is not None:
            bulk(topic, values, keys, timestamps, partition)
        else:
            broker.produce_batch([(topic, partition, k, v, ts, ())
                                  for k, v, ts in zip(keys, values, timestamps)])
        return n

    def records(self, topic: str) -> list[Record]:
        """Every record of a topic by partition then offset; windowed keys decoded."""
        recs = self.broker.records(topic)
        src = next((s for s in self.catalog.sources.values() if s.topic == topic and s.window), None)
        if src is None:
            return recs
        from dataclasses import replace
        from .serde.windowed import decode_windowed_key
        session = src.window.kind == "SESSION"
        out = []
        for r in recs:
            if r.key is None:
                out.append(r)
                continue
            _, start, end = decode_windowed_key(r.key, session, src.window.size)
            out.append(replace(r, window=(start, end)))
        return out

    # ================================================================= running ===
    def drain(self) -> None:
        """Run every query until no input is pending, in the global order records were
        produced (depth first: a query's output is consumed before the next input), then
        commit every persistent query's offsets. A broker that cannot be reached raises
        KsqlRuntimeError; nothing read is lost, and a later drain carries on."""
        try:
            with NoFullCollections():     # state is long-lived: see runtime/batch.py
                self._drain()
            self._commit_all()
        except BrokerError as e:
            self._note_broker(str(e))
            raise KsqlRuntimeError("Cannot run queries: %s" % e) from None
        self._note_broker(None)

    def _drain(self) -> None:
        if not getattr(self.broker, "supports_seq", False):
            self._drain_merged()
            return
        # The lock is taken per step (at most one fetch of records), not for the whole
        # backlog, so a statement (TERMINATE, a new query) gets in while a fast stream runs.
        # The yield to a waiting caller is every few ms, not every step: interleaved inputs
        # make steps of one record, and a sleep(0) per step cost 100 us (60% of a join's time).
        next_yield = time.monotonic() + _YIELD_EVERY_S
        while True:
            with self._lock:
                queries = [q for q in self.queries.values() if q.state == "RUNNING"]
                best = None
                for order, q in enumerate(queries):
                    nxt = q.next_pending()
                    if nxt is not None and (best is None or (nxt[0], order) < best[:2]):
                        best = (nxt[0], order, q, nxt[1], nxt[2])
                if best is None:
                    return
                best[2].run_until(best[3], best[4], self._bound(queries, best))
            if time.monotonic() >= next_yield:
                time.sleep(0)       # let a waiting caller take the lock
                next_yield = time.monotonic() + _YIELD_EVERY_S

    def _drain_merged(self) -> None:
        """Kafka: no global seq, so each query merges its own partitions in produce order
        (``Query.poll_merged``), queries sharing a sink topic together; rounds repeat until
        no query finds input (a query's output is read by the queries after it in the same
        or a later round)."""
        while True:
            with self._lock:
                done = 0
                for group in _by_sink_topic(q for q in self.queries.values() if q.state == "RUNNING"):
                    done += poll_merged_together(group)
            if not done:
                return
            time.sleep(0)

    @staticmethod
    def _bound(queries, best):
        """The seq below which ``best``'s partition may run before another input is due."""
        bound = None
        for q in queries:
            for inp in q.inputs:
                for p in inp.positions:
                    if q is best[2] and inp.index == best[3] and p == best[4]:
                        continue
                    buf = inp.peek(p)
                    if buf and (bound is None or order_key(buf[0]) < bound):
                        bound = order_key(buf[0])
        return bound

    def _commit_all(self) -> None:
        with self._lock:
            for q in list(self.queries.values()):
                if q.persistent and q.state == "RUNNING":
                    q.commit()

    def _note_broker(self, error: Optional[str]) -> None:
        """Show a broker outage in every query's status (state stays RUNNING: the runner
        retries and the query resumes when the broker is back)."""
        status = None
        if error is not None:
            status = "unreachable: " + error.split("unreachable: ", 1)[-1]
        for q in list(self.queries.values()):
            q.stats.broker = status
            if error is not None:
                q.stats.error = error
            elif q.stats.error is not None and q.stats.error.startswith("broker "):
                q.stats.error = None

    def checkpointer(self, query_id: str):
        """The offset-commit policy of a new persistent query (its consumer group, its
        changelog)."""
        from .runtime.checkpoint import Checkpointer, keeps_changelog
        props = self.properties
        return Checkpointer(self.broker, str(props.get("ksql.service.id", "default_")), query_id,
                            interval_ms=int(props.get("ksql.streams.commit.interval.ms", 2000)),
                            changelog=keeps_changelog(self.broker, props))

    @property
    def background_running(self) -> bool:
        return self._runner is not None and self._runner.is_alive()

    def start(self) -> None:
        """Process input in a background thread as it arrives (the notebook's runner)."""
        if self.background_running:
            return
        self._stop.clear()
        self._runner = threading.Thread(target=self._run, name="ksql-runner", daemon=True)
        self._runner.start()

    def stop(self) -> None:
        """Stop the background runner (queries stay; ``drain`` or ``start`` carry on)."""
        self._stop.set()
        if self._runner is not None:
            cond = getattr(self.broker, "new_data", None)
            if cond is not None:
                with cond:
                    cond.notify_all()
            self._runner.join(timeout=15)
            self._runner = None

    def _run(self) -> None:
        cond = getattr(self.broker, "new_data", None)
        while not self._stop.is_set():
            try:
                self.drain()
            except KsqlRuntimeError:
                self._stop.wait(0.5)   # broker away: noted by drain; retry shortly
            except Exception as e:  # noqa: BLE001 - the runner must survive anything
                for q in list(self.queries.values()):
                    q.stats.error = str(e)
            if cond is not None:
                with cond:
                    cond.wait(0.05)
            else:
                self._stop.wait(0.05)

    def close(self) -> None:
        """Stop the runner and every query; leaves no thread behind."""
        self.stop()
        try:
            self._commit_all()
        except (BrokerError, KsqlError):
            pass   # uncommitted input is read again on restart (at-least-once)
        for q in list(self.queries.values()):
            q.stop()
        try:
            self.broker.close()
        except Exception:  # noqa: BLE001
            pass

    # ================================================================= helpers for UIs ===
    def query_status(self, query_id: str) -> dict:
        q = self.queries.get(query_id)
        if q is None:
            raise KsqlStatementError("Unknown queryId: %s" % query_id)
        return q.status()

    def watch(self, name: str, from_beginning: bool = True):
        """A live handle on a stream or table's contents: ``SELECT * FROM name EMIT CHANGES``
        built as a statement tree (any name, backticks and semicolons included, is one source
        name) and started from the first offset, or only new records."""
        from .executor import watch_source
        return self._statement(lambda: watch_source(self, name, from_beginning))

    def terminate(self, query_id: str):
        """``TERMINATE query_id`` as a statement tree (the id is never parsed as SQL)."""
        from .executor import execute_statement
        from .sql import ast
        stmt = ast.Terminate(query_id, text="TERMINATE %s;" % query_id)
        return self._statement(lambda: execute_statement(self, stmt))

    def register_udf(self, name: str, fn, params, returns, description: str = "") -> None:
        from .functions.udfs import _as_type
        self.functions.register_udf(name, fn, [_as_type(p) for p in params], _as_type(returns),
                                    description)

    def register_udtf(self, name: str, fn, params, returns, description: str = "") -> None:
        """A Python table function: ``fn`` returns the list of values, one output row each."""
        from .functions.udfs import _as_type
        self.functions.register_udtf(name, fn, [_as_type(p) for p in params], _as_type(returns),
                                     description)

    def from_dataframe(self, df, topic: str, timestamp: Optional[str] = None,
                       key: Optional[str] = None, partitions: int = 1) -> int:
        from .dataframes import from_dataframe
        return from_dataframe(self, df, topic, timestamp=timestamp, key=key, partitions=partitions)

    def to_dataframe(self, name: str):
        from .dataframes import to_dataframe
        return to_dataframe(self, name)

    def _forget(self, query_id: str) -> None:
        q = self.queries.get(query_id)
        if q is not None and not q.persistent:
            self.queries.pop(query_id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse_guard(parse, line, column, sql):
    """Parsing raises KsqlSyntaxError; anything else it raises (a text nested past Python's
    recursion limit, a bug) is still reported as a KsqlError at the statement."""
    try:
        return parse()
    except KsqlError:
        raise
    except RecursionError:
        raise KsqlStatementError("Statement is too deeply nested to run", line, column,
                                 statement=sql) from None
    except Exception as e:  # noqa: BLE001
        raise KsqlInternalError("%s: %s" % (type(e).__name__, e), line, column,
                                statement=sql) from e


class _StatementState:
    """What a statement may change, taken before it runs, so a failure can put it back:
    the catalog (deep copy), the running queries and push handles, properties, variables.
    Topics the statement created are recorded by ``Engine.create_topic`` as it goes."""

    def __init__(self, engine: Engine):
        self.catalog = engine.catalog.snapshot()
        self.queries = dict(engine.queries)
        self.handles = dict(engine.handles)
        self.properties = dict(engine.properties)
        self.variables = dict(engine.variables)
        self.transient_seq = engine._transient_seq

    def restore(self, engine: Engine) -> None:
        for qid, q in list(engine.queries.items()):
            if self.queries.get(qid) is not q:
                _quietly(q.stop)
        for topic in reversed(engine._statement_topics or []):
            _quietly(lambda: engine.broker.delete_topic(topic))
        engine.queries.clear()
        engine.queries.update(self.queries)
        engine.handles.clear()
        engine.handles.update(self.handles)
        engine.catalog = self.catalog
        engine.properties.clear()
        engine.properties.update(self.properties)
        engine.variables.clear()
        engine.variables.update(self.variables)
        engine._transient_seq = self.transient_seq


def _quietly(fn) -> None:
    """Undo steps must all run: one failing (a broker gone) does not stop the others."""
    try:
        fn()
    except Exception:  # noqa: BLE001
        pass


def _as_bytes(v) -> Optional[bytes]:
    if v is None or v.__class__ is bytes:
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    raise TypeError("key/value must be bytes, str or None, not %s" % type(v).__name__)


def _headers(headers) -> tuple:
    """Headers given as a dict or (name, value) pairs, values as bytes."""
    pairs = headers.items() if isinstance(headers, dict) else headers
    return tuple((k, _as_bytes(v)) for k, v in pairs)


@atexit.register
def _close_all() -> None:
    for e in list(_LIVE_ENGINES):
        try:
            e.close()
        except Exception:  # noqa: BLE001
            pass


def _by_sink_topic(queries) -> list[list]:
    """Queries grouped by the topic they write (a push query, or one run on Flink, alone),
    in creation order."""
    groups: dict = {}
    for q in queries:
        topic = getattr(getattr(q, "sink", None), "topic", None)
        groups.setdefault(id(q) if topic is None else topic, []).append(q)
    return list(groups.values())
