"""The JSON_SR format: ksqlDB's JSON payload behind Confluent's registry framing.

The payload is read and written exactly as the JSON format does (json_format: the same
coercions and Jackson output); the difference is the 5-byte header (magic byte + schema id)
and the JSON Schema ksqlDB registers for the columns under ``<topic>-key`` / ``<topic>-value``,
in Connect's JsonSchemaData form: an object whose properties are ``oneOf [null, T]`` with
``connect.index`` and Connect's ``connect.type`` / logical-type titles.
"""

from __future__ import annotations

import json

from ..errors import KsqlStatementError
from ..types import SqlType
from . import json_format
from .base import Failure, Serde
from .registry import frame, schema_id_property, subject, unframe, wrapped

_CONNECT = "org.apache.kafka.connect.data."
_SIMPLE = {
    "BOOLEAN": {"type": "boolean"},
    "INTEGER": {"type": "integer", "connect.type": "int32"},
    "BIGINT": {"type": "integer", "connect.type": "int64"},
    "DOUBLE": {"type": "number", "connect.type": "float64"},
    "STRING": {"type": "string"},
    "BYTES": {"type": "string", "connect.type": "bytes"},
    "DATE": {"type": "integer", "title": _CONNECT + "Date", "connect.version": 1,
             "connect.type": "int32"},
    "TIME": {"type": "integer", "title": _CONNECT + "Time", "connect.version": 1,
             "connect.type": "int32"},
    "TIMESTAMP": {"type": "integer", "title": _CONNECT + "Timestamp", "connect.version": 1,
                  "connect.type": "int64"},
}


def _optional(t: SqlType, index=None) -> dict:
    out = {"oneOf": [{"type": "null"}, json_type(t)]}
    if index is not None:
        out["connect.index"] = index
    return out


def json_type(t: SqlType) -> dict:
    """The JSON Schema ksqlDB (Connect's JsonSchemaData) writes for one SQL type."""
    b = t.base
    if b in _SIMPLE:
        return dict(_SIMPLE[b])
    if b == "DECIMAL":
        return {"type": "number", "title": _CONNECT + "Decimal", "connect.version": 1,
                "connect.type": "bytes",
                "connect.parameters": {"scale": str(t.scale),
                                       "connect.decimal.precision": str(t.precision)}}
    if b == "ARRAY":
        return {"type": "array", "items": _optional(t.element)}
    if b == "MAP":
        return {"type": "object", "additionalProperties": _optional(t.value),
                "connect.type": "map"}
    if b == "STRUCT":
        return _object(t.fields)
    raise KsqlStatementError("JSON_SR does not support type %s" % t)


def _object(fields) -> dict:
    return {"type": "object", "properties": {n: _optional(ft, i)
                                             for i, (n, ft) in enumerate(fields)}}


def schema_for(columns, is_key: bool, properties: dict) -> dict:
    """The JSON Schema ksqlDB registers for one side of a source."""
    if wrapped(columns, is_key, properties):
        return _object(columns)
    return _optional(columns[0][1])


# -- JSON Schema -> ksql columns ----------------------------------------------------------------
def _non_null(schema: dict) -> dict:
    for key in ("oneOf", "anyOf"):
        if key in schema:
            rest = [s for s in schema[key] if s.get("type") != "null"]
            if len(rest) == 1:
                return _non_null(rest[0])
            raise KsqlStatementError("Unsupported JSON schema union: %s" % json.dumps(schema))
    return schema


def sql_type(schema: dict) -> SqlType:
    """The SQL type ksqlDB infers for a JSON Schema (Connect's reading of it)."""
    schema = _non_null(schema)
    kind, title = schema.get("type"), schema.get("title", "")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        kind = rest[0] if len(rest) == 1 else None
    if title == _CONNECT + "Decimal":
        p = schema.get("connect.parameters", {})
        return SqlType("DECIMAL", precision=int(p.get("connect.decimal.precision", 64)),
                       scale=int(p.get("scale", 0)))
    for name in ("Date", "Time", "Timestamp"):
        if title == _CONNECT + name:
            return SqlType(name.upper())
    ctype = schema.get("connect.type")
    if kind == "integer":
        return SqlType("INTEGER" if ctype in ("int8", "int16", "int32") else "BIGINT")
    if kind == "number":
        return SqlType("DOUBLE")
    if kind == "string":
        return SqlType("BYTES" if ctype == "bytes" else "STRING")
    if kind == "boolean":
        return SqlType("BOOLEAN")
    if kind == "array":
        return SqlType("ARRAY", element=sql_type(schema.get("items", {})))
    if kind == "object":
        if "properties" not in schema and "additionalProperties" in schema:
            return SqlType("MAP", key=SqlType("STRING"),
                           value=sql_type(schema["additionalProperties"]))
        return SqlType("STRUCT", fields=tuple((n.upper(), sql_type(s)) for n, s in
                                              schema.get("properties", {}).items()))
    raise KsqlStatementError("Unsupported JSON schema type: %s" % json.dumps(schema))


def infer_columns(schema_str: str, is_key: bool) -> list[tuple[str, SqlType]]:
    """Columns from a registered JSON Schema: a value object's properties (upper-cased, as
    ksqlDB's Connect translation names them), else ROWVAL; a key is one ROWKEY column."""
    schema = _non_null(json.loads(schema_str))
    if not is_key and schema.get("type") == "object" and "properties" in schema:
        return [(n.upper(), sql_type(s)) for n, s in schema["properties"].items()]
    return [("ROWKEY" if is_key else "ROWVAL", sql_type(schema))]


# -- runtime ----------------------------------------------------------------------------------
def _extra_properties(registry, schema_id: int, columns) -> list[str]:
    """Top-level properties of a user's schema (KEY/VALUE_SCHEMA_ID) no column fills."""
    schema = json.loads(registry.schema(schema_id).schema_str)
    if not isinstance(schema, dict):      # not a JSON Schema object: nothing to add
        return []
    schema = _non_null(schema)
    names = {n.upper() for n, _ in columns}
    return [n for n in schema.get("properties", {}) if n.upper() not in names]


def _with_schema_nulls(payload: bytes, state: dict, registry, schema_id: int, columns) -> bytes:
    """A row object written with a user's schema carries that schema's other properties as
    nulls, as ksqlDB writes them; the columns' own JSON text is kept byte for byte."""
    if "extra" not in state:
        state["extra"] = b"".join(b',"%s":null' % n.encode() for n in _extra_properties(
            registry, schema_id, columns)) if state.get("given") else b""
    extra = state["extra"]
    if not extra or not payload.startswith(b"{"):
        return payload
    if payload == b"{}":
        return b"{" + extra[1:] + b"}"
    return payload[:-1] + extra + b"}"



def make(columns, is_key: bool, properties: dict, fail: Failure, registry, topic) -> Serde:
    """The JSON_SR serde: JSON's serde with the registry header around the payload."""
    inner = json_format.make(columns, is_key, properties, fail)
    read_json, write_json = inner.deserialize, inner.serialize
    state = {}

    def deserialize(data):
        if data is None:
            return None
        try:
            _, payload = unframe(data)
        except ValueError as e:
            raise fail.read(str(e)) from None
        return read_json(bytes(payload))

    def schema_id() -> int:
        if "id" not in state:
            given = schema_id_property(properties, is_key)
            state["given"] = given is not None
            state["id"] = given if given is not None else registry.register(
                subject(topic, is_key), json.dumps(schema_for(columns, is_key, properties)),
                "JSON")
        return state["id"]

    def serialize(values):
        payload = write_json(values)
        if payload is None:
            return None
        try:
            sid = schema_id()
            return frame(sid, _with_schema_nulls(payload, state, registry, sid, columns))
        except KsqlStatementError as e:
            raise fail.write(e.message) from None
        except Exception as e:      # the registry: unknown id, unreachable
            raise fail.write("Error getting the JSON schema: %s" % e) from None

    serialize.register = schema_id           # inference.register_schemas: register now
    return Serde("JSON_SR", is_key, deserialize, serialize)
