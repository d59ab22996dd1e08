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

from .brokers.base import BrokerError, Record
from .catalog import Catalog
from .errors import KsqlError, KsqlRuntimeError, KsqlStatementError
from .properties import DEFAULT_PROPERTIES, normalise_properties
from .results import Result
from .runtime.batch import NoFullCollections
from .runtime.query import order_key, poll_merged_together

_LIVE_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()
BOOTSTRAP_ENV = "KSQL_MAGIC_BOOTSTRAP"   # default bootstrap servers when none are given


class Engine:
    """A ksqlDB-dialect streaming SQL engine living in this process."""

    def __init__(self, properties: Optional[dict] = None, *, broker=None,
                 bootstrap_servers: Optional[str] = None, client: str = "kafka-python",
                 flink: Optional[str] = None, flink_rest: Optional[str] = None,
                 **client_config):
        if broker is None:
            bootstrap_servers = bootstrap_servers or os.environ.get(BOOTSTRAP_ENV) or None
            if bootstrap_servers:
                broker = _kafka_broker(bootstrap_servers, client, client_config)
            else:
                from .brokers.memory import MemoryBroker
                broker = MemoryBroker()
        self.broker = broker
        self.properties: dict[str, str] = dict(DEFAULT_PROPERTIES)
        self.properties.update(normalise_properties(properties or {}))
        self.variables: dict[str, str] = {}
        self.catalog = Catalog()
        from .functions.registry import default_registry
        self.functions = default_registry()
        self.queries: dict[str, Any] = {}      # persistent and transient runtime queries
        self.handles: dict[str, Any] = {}
        self._transient_seq = 0
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
        """Run one or more ';'-separated statements in order; one Result each."""
        from .sql.parser import parse_statement, split_statements
        from .sql.variables import substitute_variables
        from .executor import execute_statement
        results = []
        for piece in split_statements(sql):
            text = substitute_variables(piece.text, self.variables) if self.variables else piece.text
            stmt = parse_statement(text, piece.line, piece.column)
            with self._lock:
                snapshot = self.catalog.snapshot()
                try:
                    results.append(execute_statement(self, stmt))
                except KsqlError as e:
                    self.catalog = snapshot
                    raise e.with_position(None, None, statement=sql)
                except BrokerError as e:
                    self.catalog = snapshot
                    raise KsqlRuntimeError(str(e)) from None
                except RecursionError:
                    self.catalog = snapshot
                    raise KsqlStatementError("Statement is too deeply nested to run") from None
        return results

    # ================================================================= data in/out ===
    def create_topic(self, topic: str, partitions: int = 1, replicas: int = 1) -> None:
        self.broker.create_topic(topic, partitions, replicas)

    def produce(self, topic: str, value, key=None, timestamp: Optional[int] = None,
                partition: Optional[int] = None, headers=None) -> Record:
        """Append one record exactly as a Kafka producer would (str is encoded UTF-8)."""
        if self.broker.topic(topic) is None:
            self.broker.create_topic(topic, 1)
        hdrs = tuple((k, _as_bytes(v)) for k, v in (headers.items() if isinstance(headers, dict)
                                                     else headers or ()))
        return self.broker.produce(topic, _as_bytes(key), _as_bytes(value), timestamp, partition, hdrs)

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
            time.sleep(0)       # let a waiting caller take the lock

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
        """A live handle on a stream, table or topic's contents."""
        from .executor import watch_source
        return watch_source(self, name, from_beginning)

    def register_udf(self, name: str, fn, params, returns, description: str = "") -> None:
        from .functions.udfs import _as_type
        self.functions.register_udf(name, fn, [_as_type(p) for p in params], _as_type(returns),
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


def _as_bytes(v) -> Optional[bytes]:
    if v is None or isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    raise TypeError("key/value must be bytes, str or None, not %s" % type(v).__name__)


def _kafka_broker(bootstrap: str, client: str, config: dict):
    if client in ("confluent", "confluent-kafka"):
        from .brokers.confluent import ConfluentBroker
        return ConfluentBroker(bootstrap, **config)
    from .brokers.kafka import KafkaBroker
    return KafkaBroker(bootstrap, **config)


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
