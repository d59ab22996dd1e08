"""The schema registry behind AVRO, PROTOBUF and JSON_SR, and Confluent's wire framing.

``Engine.schema_registry`` is a ``confluent_kafka.schema_registry.SchemaRegistryClient``:
the in-memory client confluent-kafka gives ``mock://`` URLs by default (nothing to start),
a user's registry when ``ksql.schema.registry.url`` is set. ``Registry`` wraps it for the
serdes: it caches each schema id's parsed form (a record's path looks an id up once) and is
shared, never copied, when the catalog is snapshotted.

Confluent's framing, used by every registry format: a zero magic byte, the schema id as a
4-byte big-endian int, then the payload (PROTOBUF adds its message indexes before the
payload; see protobuf_format).
"""

from __future__ import annotations

import itertools
import struct
import warnings
from typing import Callable, Optional

from ..errors import KsqlStatementError
from .json_format import is_wrapped

MOCK_PREFIX = "mock://"
_HEADER = struct.Struct(">bI")
_mock_ids = itertools.count(1)
# ksql.schema.registry.* properties passed through to the client, by the client's name.
_CLIENT_PROPERTIES = {
    "ksql.schema.registry.basic.auth.user.info": "basic.auth.user.info",
    "ksql.schema.registry.basic.auth.credentials.source": "basic.auth.credentials.source",
    "ksql.schema.registry.ssl.ca.location": "ssl.ca.location",
    "ksql.schema.registry.ssl.certificate.location": "ssl.certificate.location",
    "ksql.schema.registry.ssl.key.location": "ssl.key.location",
}


def make_client(properties: dict):
    """The registry client for an engine's properties: the user's registry when
    ``ksql.schema.registry.url`` is set, else a private in-memory one."""
    with warnings.catch_warnings():     # authlib, imported by the client, warns about httpx
        warnings.filterwarnings("ignore", message=".*httpx module is deprecated")
        from confluent_kafka.schema_registry import SchemaRegistryClient
    url = properties.get("ksql.schema.registry.url") or "%sksql-magic-%d" % (
        MOCK_PREFIX, next(_mock_ids))
    conf = {"url": str(url)}
    for prop, name in _CLIENT_PROPERTIES.items():
        if properties.get(prop):
            conf[name] = str(properties[prop])
    return SchemaRegistryClient.new_client(conf)


def frame(schema_id: int, payload: bytes) -> bytes:
    """Confluent's wire format: magic byte 0, the 4-byte schema id, the payload."""
    return _HEADER.pack(0, schema_id) + payload


def unframe(data: bytes) -> tuple[int, memoryview]:
    """The schema id and payload of a framed record; ValueError as ksqlDB words it."""
    if len(data) < 5 or data[0] != 0:
        raise ValueError("Unknown magic byte!")
    return int.from_bytes(data[1:5], "big"), memoryview(data)[5:]


def subject(topic: str, is_key: bool) -> str:
    """ksqlDB's (TopicNameStrategy) subject for one side of a topic."""
    return "%s-%s" % (topic, "key" if is_key else "value")


class Registry:
    """One engine's registry client with a per-id cache of parsed schemas."""

    def __init__(self, client):
        self.client = client
        self._parsed: dict[tuple[str, int], object] = {}

    def __deepcopy__(self, memo):       # catalog snapshots share the registry
        return self

    def schema(self, schema_id: int):
        """The registered ``Schema`` of an id (KeyError-free: raises the client's error)."""
        return self.client.get_schema(schema_id)

    def parsed(self, schema_id: int, parse: Callable, kind: str):
        """``parse(schema)`` of an id, computed once per (kind, id)."""
        key = (kind, schema_id)
        hit = self._parsed.get(key)
        if hit is None:
            hit = self._parsed[key] = parse(self.schema(schema_id))
        return hit

    def latest(self, subject_name: str):
        """The latest registered version of a subject, or None if it has none."""
        from confluent_kafka.schema_registry.error import SchemaRegistryError
        try:
            return self.client.get_latest_version(subject_name)
        except SchemaRegistryError:
            return None

    def register(self, subject_name: str, schema_str: str, schema_type: str,
                 references: Optional[list] = None) -> int:
        """The id of ``schema_str`` under the subject, registering it if new."""
        from confluent_kafka.schema_registry import Schema
        from confluent_kafka.schema_registry.error import SchemaRegistryError
        try:
            return self.client.register_schema(
                subject_name, Schema(schema_str, schema_type, references or []))
        except SchemaRegistryError as e:
            raise KsqlStatementError("Could not register schema for subject: %s. %s"
                                     % (subject_name, e)) from None


def schema_id_property(properties: dict, is_key: bool) -> Optional[int]:
    """KEY_SCHEMA_ID / VALUE_SCHEMA_ID of a WITH clause, as an int."""
    raw = properties.get("KEY_SCHEMA_ID" if is_key else "VALUE_SCHEMA_ID")
    return None if raw is None else int(str(raw))


def full_name_property(properties: dict, is_key: bool) -> Optional[str]:
    """KEY_SCHEMA_FULL_NAME / VALUE_SCHEMA_FULL_NAME (or VALUE_AVRO_SCHEMA_FULL_NAME)."""
    if is_key:
        raw = properties.get("KEY_SCHEMA_FULL_NAME")
    else:
        raw = properties.get("VALUE_SCHEMA_FULL_NAME",
                             properties.get("VALUE_AVRO_SCHEMA_FULL_NAME"))
    return None if raw is None else str(raw).strip()


def wrapped(columns, is_key: bool, properties: dict) -> bool:
    """Whether the row is a record of its columns (True) or one bare column: a single key
    column is always bare; a single value column is bare with WRAP_SINGLE_VALUE=false.
    The same rule as JSON's (json_format.is_wrapped)."""
    return is_wrapped(list(columns), is_key, properties)
