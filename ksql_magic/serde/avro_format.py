"""The AVRO format: Confluent-framed Avro (fastavro) with ksqlDB's schema conventions.

Writing: the schema ksqlDB generates for the columns — a record
``io.confluent.ksql.avro_schemas.KsqlDataSourceSchema`` (or the *_SCHEMA_FULL_NAME given),
every field an optional union ``["null", T]`` defaulting to null, nested records named
``KsqlDataSourceSchema_<FIELD>``, DECIMAL / DATE / TIME / TIMESTAMP as Connect's logical
types — is registered under ``<topic>-key`` / ``<topic>-value`` on the first write, or the
schema of KEY_SCHEMA_ID / VALUE_SCHEMA_ID is used. A single key column, and a single value
column with WRAP_SINGLE_VALUE=false, are written bare (an optional union of their type).

Reading: the writer schema comes from the record's schema id (looked up once per id); the
decoded datum is mapped onto the columns by field name (exact, then case-insensitive), and
values are converted to the column types only where the writer's type differs from what
ksqlDB itself would have written (an ``int`` into BIGINT, a ``float`` into DOUBLE, ...).
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import operator
import re
from decimal import Decimal

from ..errors import KsqlStatementError
from ..types import SqlType
from . import java_numbers as jn
from .base import Failure, Serde
from .registry import frame, full_name_property, schema_id_property, subject, wrapped

NAMESPACE = "io.confluent.ksql.avro_schemas"
DEFAULT_NAME = NAMESPACE + ".KsqlDataSourceSchema"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONNECT = "org.apache.kafka.connect.data."
_PRIMITIVES = {"BOOLEAN": "boolean", "INTEGER": "int", "BIGINT": "long", "DOUBLE": "double",
               "STRING": "string", "BYTES": "bytes"}
_TEMPORAL = {
    "DATE": {"type": "int", "connect.version": 1, "connect.name": _CONNECT + "Date",
             "logicalType": "date"},
    "TIME": {"type": "int", "connect.version": 1, "connect.name": _CONNECT + "Time",
             "logicalType": "time-millis"},
    "TIMESTAMP": {"type": "long", "connect.version": 1, "connect.name": _CONNECT + "Timestamp",
                  "logicalType": "timestamp-millis"},
}
# Logical types whose Python form here is the underlying int (types.py): fastavro must not
# turn them into datetime objects on the way in, nor expect them on the way out.
_INT_LOGICAL = {"date", "time-millis", "timestamp-millis"}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


# -- ksql columns -> Avro schema ------------------------------------------------------------
def _optional(t: SqlType, name: str):
    return ["null", avro_type(t, name)]


def avro_type(t: SqlType, name: str):
    """The Avro schema ksqlDB writes for one SQL type; ``name`` names a nested record."""
    b = t.base
    if b in _PRIMITIVES:
        return _PRIMITIVES[b]
    if b in _TEMPORAL:
        return dict(_TEMPORAL[b])
    if b == "DECIMAL":
        return {"type": "bytes", "scale": t.scale, "precision": t.precision,
                "connect.version": 1,
                "connect.parameters": {"scale": str(t.scale),
                                       "connect.decimal.precision": str(t.precision)},
                "connect.name": _CONNECT + "Decimal", "logicalType": "decimal"}
    if b == "ARRAY":
        return {"type": "array", "items": _optional(t.element, name)}
    if b == "MAP":
        return {"type": "map", "values": _optional(t.value, name)}
    if b == "STRUCT":
        return _record(t.fields, name)
    raise KsqlStatementError("Avro does not support type %s" % t)


def _record(fields, full_name: str) -> dict:
    namespace, _, short = full_name.rpartition(".")
    rec = {"type": "record", "name": short}
    if namespace:
        rec["namespace"] = namespace
    rec["fields"] = [{"name": n, "type": _optional(ft, "%s_%s" % (full_name, n)), "default": None}
                     for n, ft in fields]
    return rec


def schema_for(columns, is_key: bool, properties: dict):
    """The Avro schema (as JSON data) ksqlDB registers for one side of a source."""
    name = full_name_property(properties, is_key) or DEFAULT_NAME
    if wrapped(columns, is_key, properties):
        return _record(columns, name)
    return _optional(columns[0][1], name)


def check_columns(columns) -> str | None:
    """ksqlDB's reason a schema cannot be Avro, or None."""
    for n, t in columns:
        reason = _check_type(n, t)
        if reason:
            return reason
    return None


def _check_type(name: str, t: SqlType) -> str | None:
    if not _NAME_RE.match(name):
        return "Schema is not compatible with Avro: Illegal initial character: %s" % name
    if t.base == "MAP" and t.key is not None and t.key.base != "STRING":
        return "Avro only supports MAPs with STRING keys"
    children = list(t.fields)
    if t.element is not None:
        children.append((name, t.element))
    if t.value is not None:
        children.append((name, t.value))
    for n, ft in children:
        reason = _check_type(n, ft)
        if reason:
            return reason
    return None


# -- Avro schema -> ksql columns (schema inference) -----------------------------------------
def _non_null(schema):
    if isinstance(schema, list):
        rest = [s for s in schema if s != "null"]
        if len(rest) == 1:
            return rest[0]
        raise KsqlStatementError("Unsupported Avro union: %s" % json.dumps(schema))
    return schema


def sql_type(schema) -> SqlType:
    """The SQL type ksqlDB infers for an Avro schema (optional unions unwrapped)."""
    schema = _non_null(schema)
    if isinstance(schema, str):
        schema = {"type": schema}
    kind, logical = schema.get("type"), schema.get("logicalType")
    if isinstance(kind, (dict, list)):
        return sql_type(kind)
    if logical == "decimal":
        return SqlType("DECIMAL", precision=int(schema["precision"]),
                       scale=int(schema.get("scale", 0)))
    if logical == "date":
        return SqlType("DATE")
    if logical in ("time-millis", "time-micros"):
        return SqlType("TIME")
    if logical in ("timestamp-millis", "timestamp-micros"):
        return SqlType("TIMESTAMP")
    simple = {"boolean": "BOOLEAN", "int": "INTEGER", "long": "BIGINT", "float": "DOUBLE",
              "double": "DOUBLE", "string": "STRING", "enum": "STRING", "bytes": "BYTES",
              "fixed": "BYTES"}
    if kind in simple:
        return SqlType(simple[kind])
    if kind == "array":
        return SqlType("ARRAY", element=sql_type(schema["items"]))
    if kind == "map":
        return SqlType("MAP", key=SqlType("STRING"), value=sql_type(schema["values"]))
    if kind == "record":
        return SqlType("STRUCT", fields=tuple((f["name"].upper(), sql_type(f["type"]))
                                              for f in schema["fields"]))
    raise KsqlStatementError("Unsupported Avro type: %s" % kind)


def infer_columns(schema_str: str, is_key: bool) -> list[tuple[str, SqlType]]:
    """Columns from a registered schema: a value record's fields (names upper-cased, as
    ksqlDB's Connect translation does), else one ROWVAL; a key is always one ROWKEY column
    of the schema's type (keys are never wrapped, so a record key is a STRUCT)."""
    schema = _non_null(json.loads(schema_str))
    if not is_key and isinstance(schema, dict) and schema.get("type") == "record":
        return [(f["name"].upper(), sql_type(f["type"])) for f in schema["fields"]]
    return [("ROWKEY" if is_key else "ROWVAL", sql_type(schema))]


# -- runtime ----------------------------------------------------------------------------------
def _strip_int_logical(schema):
    """A copy of a schema whose date/time/timestamp millis are plain ints for fastavro."""
    if isinstance(schema, list):
        return [_strip_int_logical(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strip_int_logical(v) if k in ("type", "items", "values") else v
           for k, v in schema.items() if not (k == "logicalType" and v in _INT_LOGICAL)}
    if "fields" in schema:
        out["fields"] = [dict(f, type=_strip_int_logical(f["type"])) for f in schema["fields"]]
    return out


def _parse(schema_json):
    import fastavro
    return fastavro.parse_schema(_strip_int_logical(copy.deepcopy(schema_json)))


def _parse_registered(schema) -> object:
    return _parse(json.loads(schema.schema_str))


class _Mismatch(Exception):
    pass


def _coercer(t: SqlType):
    """Avro datum -> SQL value for ``t`` (None passes through); raises _Mismatch."""
    b = t.base
    if b == "BOOLEAN":
        return _typed(bool, t)
    if b in ("INTEGER", "BIGINT"):
        return _integral(t)
    if b == "DOUBLE":
        return _double(t)
    if b == "STRING":
        return _typed(str, t)
    if b == "BYTES":
        return lambda v: bytes(v) if isinstance(v, (bytes, bytearray)) else _bad(v, t)
    if b == "DECIMAL":
        return _decimal(t)
    if b in ("DATE", "TIME", "TIMESTAMP"):
        return _temporal(t)
    if b == "ARRAY":
        return _array(t)
    if b == "MAP":
        return _map(t)
    if b == "STRUCT":
        return _struct(t)
    raise _Mismatch("unsupported type %s" % t)


def _bad(v, t):
    raise _Mismatch("Can't convert type. sourceType: %s, requiredType: %s"
                    % (type(v).__name__, t))


def _typed(py, t):
    def co(v):
        if v is None or type(v) is py:
            return v
        return _bad(v, t)
    return co


def _integral(t):
    bits = 32 if t.base == "INTEGER" else 64

    def co(v):
        if v is None:
            return None
        if type(v) is int:
            return jn.wrap(v, bits)
        return _bad(v, t)
    return co


def _double(t):
    def co(v):
        if v is None or type(v) is float:
            return v
        if type(v) is int:
            return float(v)
        return _bad(v, t)
    return co


def _decimal(t):
    def co(v):
        if v is None:
            return None
        if isinstance(v, (Decimal, int)):
            try:
                return jn.ensure_fit(Decimal(v), t.precision, t.scale)
            except ValueError as e:
                raise _Mismatch(str(e)) from None
        return _bad(v, t)
    return co


def _temporal(t):
    def co(v):
        if v is None or type(v) is int:
            return v
        if isinstance(v, datetime.datetime):
            return int((v - _EPOCH).total_seconds() * 1000) if v.tzinfo else \
                int((v.replace(tzinfo=datetime.timezone.utc) - _EPOCH).total_seconds() * 1000)
        if isinstance(v, datetime.date):
            return (v - datetime.date(1970, 1, 1)).days
        if isinstance(v, datetime.time):
            return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
        return _bad(v, t)
    return co


def _array(t):
    inner = _coercer(t.element)

    def co(v):
        if v is None:
            return None
        if type(v) is not list:
            return _bad(v, t)
        return [inner(x) for x in v]
    return co


def _map(t):
    inner = _coercer(t.value)

    def co(v):
        if v is None:
            return None
        if type(v) is list:       # Connect's MapEntry array (maps with non-string keys)
            return {e.get("key"): inner(e.get("value")) for e in v}
        if type(v) is not dict:
            return _bad(v, t)
        return {k: inner(x) for k, x in v.items()}
    return co


def _struct(t):
    fields = [(n, _coercer(ft)) for n, ft in t.fields]

    def co(v):
        if v is None:
            return None
        if type(v) is not dict:
            return _bad(v, t)
        upper = None
        out = {}
        for n, c in fields:
            if n in v:
                out[n] = c(v[n])
                continue
            if upper is None:
                upper = {k.upper(): x for k, x in v.items()}
            out[n] = c(upper.get(n.upper()))
        return out
    return co


# Writer Avro types a column reads without conversion (what ksqlDB itself writes).
_SAME = {"BOOLEAN": ("boolean",), "INTEGER": ("int",), "BIGINT": ("long",),
         "DOUBLE": ("double",), "STRING": ("string",), "BYTES": ("bytes",),
         "DATE": ("int",), "TIME": ("int",), "TIMESTAMP": ("long",)}


def _writer_kind(schema) -> str | None:
    """The base Avro type of an optional-or-plain field schema, if primitive."""
    if isinstance(schema, list):
        rest = [s for s in schema if s != "null"]
        schema = rest[0] if len(rest) == 1 else None
    if isinstance(schema, dict):
        schema = schema.get("type") if schema.get("logicalType") in (None, *_INT_LOGICAL) \
            else None
    return schema if isinstance(schema, str) else None


def _row_plan(columns, schema_json):
    """For a record writer schema: per column, the field name to read and the converter
    (None when the writer's type is already the column's)."""
    fields = {f["name"]: f for f in schema_json.get("fields", [])}
    upper = {n.upper(): f for n, f in fields.items()}
    plan = []
    for name, t in columns:
        f = fields.get(name) or upper.get(name.upper())
        if f is None:
            plan.append((None, None))
            continue
        same = _writer_kind(f["type"]) in _SAME.get(t.base, ())
        plan.append((f["name"], None if same else _coercer(t)))
    return plan


def _row_reader(columns, is_wrapped: bool, schema_json):
    """datum -> row for one writer schema."""
    if not is_wrapped:
        co = _coercer(columns[0][1])
        return lambda datum: [co(datum)]
    if not (isinstance(schema_json, dict) and schema_json.get("type") == "record"):
        co = _coercer(columns[0][1]) if len(columns) == 1 else None
        if co is None:
            raise _Mismatch("Expected a record schema for %d columns" % len(columns))
        return lambda datum: [co(datum)]       # an anonymous value read into one column
    plan = _row_plan(columns, schema_json)
    if all(c is None for _, c in plan) and all(n is not None for n, _ in plan):
        names = [n for n, _ in plan]
        if len(names) == 1:
            name = names[0]
            return lambda datum: [datum[name]]
        pick = operator.itemgetter(*names)
        return lambda datum: list(pick(datum))
    return lambda datum: [None if n is None else (datum.get(n) if c is None else c(datum.get(n)))
                          for n, c in plan]


def make(columns, is_key: bool, properties: dict, fail: Failure, registry, topic) -> Serde:
    """The AVRO serde of one side of ``topic``; the registry resolves schema ids."""
    import fastavro
    reader = fastavro.schemaless_reader
    writer = fastavro.schemaless_writer
    is_wrapped = wrapped(columns, is_key, properties)
    readers: dict[bytes, tuple] = {}      # raw 4-byte schema id -> (parsed, datum -> row)

    def plan_for(raw_id: bytes):
        schema_id = int.from_bytes(raw_id, "big")
        raw = json.loads(registry.schema(schema_id).schema_str)
        parsed = registry.parsed(schema_id, _parse_registered, "AVRO")
        hit = readers[raw_id] = (parsed, _row_reader(columns, is_wrapped, _non_null_or_self(raw)))
        return hit

    bytes_io = io.BytesIO

    def deserialize(data):
        """Hot path: header check, the writer's plan by the id's raw bytes, fastavro."""
        if data is None:
            return None
        if len(data) < 5 or data[0] != 0:
            raise fail.read("Unknown magic byte!")
        raw_id = data[1:5]
        try:
            parsed, to_row = readers.get(raw_id) or plan_for(raw_id)
        except (_Mismatch, KsqlStatementError) as e:
            raise fail.read(str(e)) from None
        except Exception as e:      # the registry: unknown id, unreachable
            raise fail.read("Error retrieving Avro schema for id %d: %s"
                            % (int.from_bytes(raw_id, "big"), e)) from None
        bio = bytes_io(data)
        bio.seek(5)
        try:
            datum = reader(bio, parsed, None)
            return None if datum is None else to_row(datum)
        except (_Mismatch, ValueError, TypeError, EOFError, IndexError, KeyError) as e:
            raise fail.read(str(e) or type(e).__name__) from None

    state = {}

    def writer_state():
        if not state:
            state.update(_writer_setup(columns, is_key, properties, registry, topic, is_wrapped))
        return state

    def serialize(values):
        if values is None:
            return None
        try:
            st = writer_state()
        except KsqlStatementError as e:
            raise fail.write(e.message) from None
        except Exception as e:      # the registry: unknown id, unreachable
            raise fail.write("Error getting the Avro schema: %s" % e) from None
        datum = st["to_datum"](values)
        buf = io.BytesIO()
        try:
            writer(buf, st["parsed"], datum)
        except (ValueError, TypeError, AttributeError) as e:
            raise fail.write(str(e)) from None
        return frame(st["id"], buf.getvalue())

    serialize.register = writer_state        # inference.register_schemas: register now
    return Serde("AVRO", is_key, deserialize, serialize)


def _non_null_or_self(schema):
    if isinstance(schema, list):
        rest = [s for s in schema if s != "null"]
        return rest[0] if len(rest) == 1 else schema
    return schema


def _writer_setup(columns, is_key, properties, registry, topic, is_wrapped) -> dict:
    """The schema id, parsed schema and row -> datum mapping a sink writes with."""
    given = schema_id_property(properties, is_key)
    if given is not None:
        schema_id = given
        schema_json = json.loads(registry.schema(given).schema_str)
    else:
        schema_json = schema_for(columns, is_key, properties)
        schema_id = registry.register(subject(topic, is_key), json.dumps(schema_json), "AVRO")
    parsed = registry.parsed(schema_id, _parse_registered, "AVRO")
    body = _non_null_or_self(schema_json)
    fill = _defaults_filler(body) if given is not None else _same
    if is_wrapped and isinstance(body, dict) and body.get("type") == "record":
        names = {f["name"].upper(): f["name"] for f in body["fields"]}
        keys = [names.get(n.upper(), n) for n, _ in columns]
        return {"id": schema_id, "parsed": parsed,
                "to_datum": lambda values: fill(dict(zip(keys, values)))}
    return {"id": schema_id, "parsed": parsed, "to_datum": lambda values: fill(values[0])}


def _same(datum):
    return datum


def _defaults_filler(schema):
    """For a user's schema (KEY/VALUE_SCHEMA_ID): datum -> datum with a null in a field that
    cannot be null replaced by the field's default, as Connect's AvroData writes it; struct
    fields matched to the schema's names case-insensitively."""
    schema = _non_null_or_self(schema)
    if not (isinstance(schema, dict) and schema.get("type") == "record"):
        return _same
    fields = []
    for f in schema["fields"]:
        nullable = isinstance(f["type"], list) and "null" in f["type"] or f["type"] == "null"
        default = f.get("default") if "default" in f and not nullable else None
        fields.append((f["name"], f["name"].upper(), "default" in f and not nullable, default,
                       _defaults_filler(f["type"])))

    def fill(datum):
        if not isinstance(datum, dict):
            return datum
        upper = {str(k).upper(): v for k, v in datum.items()}
        out = {}
        for name, up, has_default, default, inner in fields:
            v = datum[name] if name in datum else upper.get(up)
            out[name] = default if v is None and has_default else inner(v)
        return out
    return fill
