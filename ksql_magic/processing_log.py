"""ksqlDB's processing log: where skipped records and expression errors are written.

Entries go to the topic ``<service id>ksql_processing_log`` as JSON, readable through the
``KSQL_PROCESSING_LOG`` stream the engine declares on first use, so a user can query why
records were dropped exactly as in ksqlDB; the last entries are also kept in memory for
displays.
"""

from __future__ import annotations

import base64
import collections
import json
import time
from typing import Optional

STREAM_NAME = "KSQL_PROCESSING_LOG"
TYPE_CODES = {"deserialization": 0, "processing": 1, "serialization": 3, "production": 2}
DDL = ("CREATE STREAM IF NOT EXISTS KSQL_PROCESSING_LOG (LOGGER STRING, LEVEL STRING, `TIME` BIGINT, "
       "MESSAGE STRUCT<`TYPE` INTEGER, DESERIALIZATIONERROR STRUCT<ERRORMESSAGE STRING, "
       "RECORDB64 STRING, CAUSE ARRAY<STRING>, `TOPIC` STRING>, RECORDPROCESSINGERROR "
       "STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, SERIALIZATIONERROR "
       "STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, `TOPIC` STRING>>) "
       "WITH (KAFKA_TOPIC='%s', VALUE_FORMAT='JSON', PARTITIONS=1);")


class ProcessingLog:
    def __init__(self, engine, keep: int = 1000):
        self.engine = engine
        self.recent = collections.deque(maxlen=keep)
        self.count = 0
        self._declared = False

    @property
    def topic(self) -> str:
        return self.engine.properties.get("ksql.service.id", "default_") + "ksql_processing_log"

    def __call__(self, kind: str, message: str, record=None, query_id: str = "", *,
                 cause: Optional[list] = None, topic: Optional[str] = None) -> None:
        """Log one skipped record: ``kind`` is deserialization | processing | serialization,
        ``cause`` the messages behind the error, ``topic`` the topic a serialization error
        was writing to. Never raises: logging must not stop the query it reports on."""
        self.count += 1
        self.recent.append((kind, message, query_id))
        try:
            entry = {"LOGGER": "processing.%s" % query_id, "LEVEL": "ERROR",
                     "TIME": int(time.time() * 1000),
                     "MESSAGE": self._message(kind, message, record, cause or [], topic)}
            self._ensure_topic()
            self.engine.broker.produce(self.topic, None, json.dumps(entry).encode(), None, None, ())
        except Exception:  # noqa: BLE001 - logging must never break a query
            pass

    def _ensure_topic(self) -> None:
        if not self._declared and self.engine.broker.topic(self.topic) is None:
            self.engine.broker.create_topic(self.topic, 1)
        self._declared = True

    def declare_stream(self) -> None:
        """Declare KSQL_PROCESSING_LOG so it can be queried (done lazily by the engine)."""
        self._ensure_topic()
        if STREAM_NAME not in self.engine.catalog.sources:
            # the topic (from ksql.service.id) as a string literal: an inner quote doubled
            self.engine.execute(DDL % self.topic.replace("'", "''"))

    @staticmethod
    def _message(kind: str, message: str, record, cause: list, topic: Optional[str]) -> dict:
        """ksqlDB's message shape: TYPE plus one of the three error structs, each with
        ERRORMESSAGE and CAUSE; the record's content stays out (ksqlDB's default,
        ``ksql.logging.processing.rows.include=false``), a deserialization error keeps
        the raw bytes (base64) and topic."""
        code = TYPE_CODES.get(kind, 1)
        msg = {"TYPE": code, "DESERIALIZATIONERROR": None, "RECORDPROCESSINGERROR": None,
               "SERIALIZATIONERROR": None}
        if kind == "deserialization":
            raw = record.value if record is not None else None
            msg["DESERIALIZATIONERROR"] = {
                "ERRORMESSAGE": message, "CAUSE": cause,
                "RECORDB64": base64.b64encode(raw).decode() if raw else None,
                "TOPIC": record.topic if record is not None else None}
        elif kind == "serialization":
            msg["SERIALIZATIONERROR"] = {"ERRORMESSAGE": message, "RECORD": None, "CAUSE": cause,
                                         "TOPIC": topic}
        else:
            msg["RECORDPROCESSINGERROR"] = {"ERRORMESSAGE": message, "CAUSE": cause, "RECORD": None}
        return msg
