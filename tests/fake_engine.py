"""A small stand-in for the Engine, for tests of the magics and displays.

It speaks the engine's public API (``execute`` -> ``Result`` list, ``QueryHandle``-shaped
handles with ``changes``/``status``/``stop``/``wait``) so the display layer can be tested
without the real engine, and lets a test push rows into a live query by hand.
"""

from __future__ import annotations

import threading
import time

from ksql_magic.errors import KsqlStatementError, KsqlSyntaxError
from ksql_magic.results import Change, Result

FRAUD_COLUMNS = ["CARD_NUMBER", "WINDOWSTART", "WINDOWEND", "KSQL_COL_0"]


class FakeHandle:
    def __init__(self, query_id, columns, key_columns=(), is_table=False, windowed=False):
        self.query_id, self.columns = query_id, list(columns)
        self.key_columns, self.is_table, self.windowed = list(key_columns), is_table, windowed
        self.log, self.state, self.records_in = [], "RUNNING", 0
        self.lock = threading.Lock()
        self.status_calls = 0

    def push(self, row: dict, op: str = None, key=None) -> None:
        op = op or ("upsert" if self.is_table else "append")
        key = key if key is not None else tuple(row.get(k) for k in self.key_columns)
        with self.lock:
            self.log.append(Change(op, key, row))
            self.records_in += 1

    def changes(self, cursor=0):
        with self.lock:
            return len(self.log), self.log[cursor:]

    def status(self):
        self.status_calls += 1
        return {"query_id": self.query_id, "state": self.state, "records_in": self.records_in,
                "records_out": len(self.log), "rate": 12.5, "stream_time": 1_767_225_600_000,
                "late_dropped": 1, "deser_errors": 0, "error": None}

    def stop(self):
        self.state = "STOPPED"

    def wait(self, rows=None, timeout=None):
        deadline = time.monotonic() + (timeout or 5)
        while rows is not None and len(self.log) < rows and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame([c.row for c in self.log], columns=self.columns)


class FakeEngine:
    """Answers by the statement's first words; ``BAD`` is a syntax error at line 1:1 of its
    statement, ``MISSING`` an unknown-stream error."""

    def __init__(self):
        self.handles, self.executed, self.produced = {}, [], []
        self.topics, self.closed, self.started = set(), False, 0
        self.seq = 0

    def execute(self, sql):
        self.executed.append(sql)
        words = sql.strip().rstrip(";").split()
        head = words[0].upper()
        if head == "BAD":
            raise KsqlSyntaxError("Syntax Error\nmismatched input 'BAD'", 1, 1, sql)
        if "MISSING" in sql.upper():
            col = sql.upper().index("MISSING") + 1
            raise KsqlStatementError("MISSING does not exist.", 1, col, sql)
        if head == "SHOW":
            return [Result("table", columns=["Kafka Topic", "Partitions"],
                           rows=[["t%d" % i, 1] for i in range(30)])]
        if head == "TERMINATE":
            self.handles[words[1]].stop()
            return [Result("message", message="Query terminated.")]
        if head == "SELECT" and "EMIT" in sql.upper():
            return [self.live("push", sql)]
        if head == "CREATE" and " AS SELECT" in sql.upper():
            return [self.live("persistent", sql, "Created query with ID CTAS_%d" % self.seq)]
        if head == "PRINT":
            return [self.live("print", sql)]
        return [Result("message", message="Stream created")]

    def live(self, kind, sql, message=""):
        self.seq += 1
        qid = "%s_%d" % ("CTAS" if kind == "persistent" else "transient", self.seq)
        if "WINDOW" in sql.upper():
            h = FakeHandle(qid, FRAUD_COLUMNS, ["CARD_NUMBER"], is_table=True, windowed=True)
        else:
            h = FakeHandle(qid, ["ID", "NAME"])
        self.handles[qid] = h
        return Result(kind, message=message, query_id=qid, handle=h)

    def create_topic(self, topic, partitions=1):
        self.topics.add(topic)

    def produce(self, topic, value, key=None, timestamp=None):
        self.produced.append((topic, key, value, timestamp))

    def start(self):
        self.started += 1

    def close(self):
        self.closed = True
        for h in self.handles.values():
            h.stop()
