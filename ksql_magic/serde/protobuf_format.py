"""The PROTOBUF and PROTOBUF_NOSR formats: proto3 messages with ksqlDB's conventions.

Every row is a message (keys too: Protobuf has no bare values): the columns become fields
1..n of ``ConnectDefault1`` (or the *_SCHEMA_FULL_NAME given), structs nested messages
``ConnectDefault2``..., ARRAY repeated, MAP ``map<string, V>``, DECIMAL
``confluent.type.Decimal``, DATE ``google.type.Date``, TIME ``google.type.TimeOfDay``,
TIMESTAMP ``google.protobuf.Timestamp``. proto3 has no null scalars: a null is written as
the field's default and reads back as 0, "" or false (a null struct stays null, a null
array or map reads back empty), as ksqlDB's default nullable representation does.

PROTOBUF frames the message as Confluent does (magic byte, schema id, the message-index
path, then the bytes); its schema is registered as confluent-kafka's own serializer
registers one (the base64 FileDescriptorProto), and a registered ``.proto`` text — what a
JVM producer or ksqlDB registers — is compiled with protoc (grpcio-tools) once per id.
PROTOBUF_NOSR writes the bare message and reads it with the schema of its columns.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import os
import re
import tempfile
from decimal import Decimal

from ..errors import KsqlStatementError
from ..types import SqlType
from .base import Failure, Serde
from .registry import frame, full_name_property, schema_id_property, subject

DEFAULT_NAME = "ConnectDefault1"
_files = itertools.count(1)
_SCALARS = {"BOOLEAN": "TYPE_BOOL", "INTEGER": "TYPE_INT32", "BIGINT": "TYPE_INT64",
            "DOUBLE": "TYPE_DOUBLE", "STRING": "TYPE_STRING", "BYTES": "TYPE_BYTES"}
_WELL_KNOWN = {"DECIMAL": ".confluent.type.Decimal", "DATE": ".google.type.Date",
               "TIME": ".google.type.TimeOfDay", "TIMESTAMP": ".google.protobuf.Timestamp"}
_IMPORTS = {"DECIMAL": "confluent/type/decimal.proto", "DATE": "google/type/date.proto",
            "TIME": "google/type/timeofday.proto",
            "TIMESTAMP": "google/protobuf/timestamp.proto"}
_EPOCH_DATE = datetime.date(1970, 1, 1)


# -- the well-known files a schema may import -----------------------------------------------
def _builtin_files():
    """(name, serialized FileDescriptorProto) of every file a ksqlDB schema may import."""
    from google.protobuf import descriptor_pb2, timestamp_pb2, wrappers_pb2
    from google.type import date_pb2, timeofday_pb2
    from confluent_kafka.schema_registry.confluent import meta_pb2
    from confluent_kafka.schema_registry.confluent.type import decimal_pb2
    return [(m.DESCRIPTOR.name, m.DESCRIPTOR.serialized_pb)
            for m in (descriptor_pb2, timestamp_pb2, wrappers_pb2, date_pb2, timeofday_pb2,
                      meta_pb2, decimal_pb2)]


def _new_pool():
    from google.protobuf import descriptor_pool
    pool = descriptor_pool.DescriptorPool()
    for _, data in _builtin_files():
        pool.AddSerializedFile(data)
    return pool


def message_class(desc):
    from google.protobuf import message_factory
    return message_factory.GetMessageClass(desc)


# -- ksql columns -> descriptor -------------------------------------------------------------
_WRAPPER_OF = {"BOOLEAN": ".google.protobuf.BoolValue", "INTEGER": ".google.protobuf.Int32Value",
               "BIGINT": ".google.protobuf.Int64Value", "DOUBLE": ".google.protobuf.DoubleValue",
               "STRING": ".google.protobuf.StringValue", "BYTES": ".google.protobuf.BytesValue"}


def nullable_representation(properties: dict, is_key: bool) -> str | None:
    """KEY_/VALUE_PROTOBUF_NULLABLE_REPRESENTATION: WRAPPER or OPTIONAL keep scalar nulls
    (as google.protobuf wrappers, or proto3 ``optional`` fields); unset, nulls are defaults."""
    raw = properties.get(("KEY_" if is_key else "VALUE_") + "PROTOBUF_NULLABLE_REPRESENTATION")
    return None if raw is None else str(raw).strip().upper()


def file_proto(columns, full_name: str, nullable: str | None = None):
    """The FileDescriptorProto ksqlDB's schema for ``columns`` is, top message first;
    ``nullable`` (WRAPPER / OPTIONAL) says how scalar fields keep their nulls."""
    from google.protobuf import descriptor_pb2
    package, _, name = full_name.rpartition(".")
    fdp = descriptor_pb2.FileDescriptorProto(name="ksql_magic_%d.proto" % next(_files),
                                             syntax="proto3")
    if package:
        fdp.package = package
    ctx = _Build(nullable)
    msg = fdp.message_type.add(name=name)
    prefix = "." + package if package else ""
    _fill_message(msg, columns, prefix + "." + name, ctx)
    fdp.dependency.extend(sorted(ctx.imports))
    return fdp


class _Build:
    """What building one schema accumulates: nested message numbers, imports."""

    def __init__(self, nullable):
        self.counter = itertools.count(2)     # ConnectDefault2, 3, ... for nested structs
        self.imports: set[str] = set()
        self.nullable = nullable


def _fill_message(msg, fields, path: str, ctx) -> None:
    for number, (name, t) in enumerate(fields, 1):
        f = msg.field.add(name=name, number=number)
        _set_type(msg, f, t, path, ctx, name)


def _set_type(msg, f, t: SqlType, path, ctx, name) -> None:
    from google.protobuf import descriptor_pb2
    FDP = descriptor_pb2.FieldDescriptorProto
    f.label = FDP.LABEL_OPTIONAL
    b = t.base
    if b == "ARRAY":
        _set_type(msg, f, t.element, path, ctx, name)
        f.label = FDP.LABEL_REPEATED
        return
    if b == "MAP":
        entry = msg.nested_type.add(name=_entry_name(name))
        entry.options.map_entry = True
        entry.field.add(name="key", number=1, label=FDP.LABEL_OPTIONAL, type=FDP.TYPE_STRING)
        value = entry.field.add(name="value", number=2)
        _set_type(entry, value, t.value, path + "." + entry.name, ctx, "value")
        f.type, f.type_name, f.label = FDP.TYPE_MESSAGE, path + "." + entry.name, \
            FDP.LABEL_REPEATED
        return
    if b == "STRUCT":
        nested = msg.nested_type.add(name="ConnectDefault%d" % next(ctx.counter))
        _fill_message(nested, t.fields, path + "." + nested.name, ctx)
        f.type, f.type_name = FDP.TYPE_MESSAGE, path + "." + nested.name
        return
    nullable = ctx.nullable
    if nullable == "WRAPPER" and b in _WRAPPER_OF and f.label != FDP.LABEL_REPEATED \
            and name != "value":
        ctx.imports.add("google/protobuf/wrappers.proto")
        f.type, f.type_name = FDP.TYPE_MESSAGE, _WRAPPER_OF[b]
        return
    if nullable == "OPTIONAL" and b in _SCALARS and name != "value":
        f.proto3_optional = True
        f.oneof_index = len(msg.oneof_decl)
        msg.oneof_decl.add(name="_" + name)
    if b in _WELL_KNOWN:
        ctx.imports.add(_IMPORTS[b])
        f.type, f.type_name = FDP.TYPE_MESSAGE, _WELL_KNOWN[b]
        if b == "DECIMAL":           # [(confluent.field_meta) = {params: precision, scale}]
            from confluent_kafka.schema_registry.confluent import meta_pb2
            ctx.imports.add(meta_pb2.DESCRIPTOR.name)
            params = f.options.Extensions[meta_pb2.field_meta].params
            params["precision"], params["scale"] = str(t.precision), str(t.scale)
        return
    f.type = getattr(FDP, _SCALARS[b])


def _entry_name(field: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in field.lower().split("_")) + "Entry"


def check_columns(columns) -> str | None:
    """ksqlDB's reason these columns cannot be Protobuf, or None."""
    def walk(t):
        yield t
        for child in (t.element, t.key, t.value):
            if child is not None:
                yield from walk(child)
        for _, ft in t.fields:
            yield from walk(ft)
    for _, t in columns:
        if any(x.base == "MAP" and x.key is not None and x.key.base != "STRING"
               for x in walk(t)):
            return "PROTOBUF format only supports MAP types with STRING keys"
    return None


# -- registered schema -> descriptor -------------------------------------------------------
def parse_schema(schema, registry=None):
    """The FileDescriptor of a registered schema: a base64 FileDescriptorProto (what
    confluent-kafka registers) or ``.proto`` text (compiled with protoc)."""
    from google.protobuf import descriptor_pb2
    text = schema.schema_str
    pool = _new_pool()
    try:
        fdp = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(text,
                                                                             validate=True))
        if fdp.name or fdp.message_type:
            return _add(pool, fdp)
    except Exception:           # not base64: .proto text
        pass
    refs = _references(schema, registry)
    protos = compile_proto(text, refs)
    fd = None
    for p in protos:
        fd = _add(pool, p)
    return fd


def _add(pool, fdp):
    try:
        pool.Add(fdp)
    except TypeError:
        pass                     # already in the pool (a builtin)
    return pool.FindFileByName(fdp.name)


def _references(schema, registry) -> dict:
    """{import name: .proto text} of a schema's references, looked up in the registry."""
    out = {}
    for ref in getattr(schema, "references", None) or []:
        if registry is None:
            continue
        version = registry.client.get_version(ref.subject, ref.version)
        out[ref.name] = version.schema.schema_str
    return out


def compile_proto(text: str, references: dict | None = None) -> list:
    """FileDescriptorProtos (dependencies first, the schema last) of ``.proto`` text."""
    from google.protobuf import descriptor_pb2
    try:
        from grpc_tools import protoc
    except ImportError:
        raise KsqlStatementError("Reading a .proto schema text needs grpcio-tools "
                                 "(pip install grpcio-tools)") from None
    builtin = {n for n, _ in _builtin_files()}
    text = _with_meta_import(text)
    with tempfile.TemporaryDirectory() as d:
        deps = descriptor_pb2.FileDescriptorSet()
        for _, data in _builtin_files():
            deps.file.add().MergeFromString(data)
        with open(os.path.join(d, "builtin.pb"), "wb") as fh:
            fh.write(deps.SerializeToString())
        for name, body in (references or {}).items():
            os.makedirs(os.path.dirname(os.path.join(d, name)) or d, exist_ok=True)
            with open(os.path.join(d, name), "w") as fh:
                fh.write(body)
        main = "ksql_schema_%d.proto" % next(_files)
        with open(os.path.join(d, main), "w") as fh:
            fh.write(text)
        out = os.path.join(d, "out.pb")
        code = protoc.main(["protoc", "-I" + d, "--descriptor_set_in=" + os.path.join(
            d, "builtin.pb"), "--include_imports", "--descriptor_set_out=" + out, main])
        if code != 0:
            raise KsqlStatementError("Cannot compile the Protobuf schema:\n%s" % text)
        result = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
    return [f for f in result.file if f.name not in builtin]


def _with_meta_import(text: str) -> str:
    """Schemas registered by JVM clients use ``(confluent.field_meta)`` without importing
    confluent/meta.proto (the JVM parser knows it); protoc needs the import."""
    if "confluent.field_meta" not in text or "confluent/meta.proto" in text:
        return text
    return re.sub(r'(syntax\s*=\s*"proto[23]"\s*;)', r'\1 import "confluent/meta.proto";', text,
                  count=1)


def pick_message(fd, full_name: str | None):
    """The message a schema's rows are: the one named, else the file's first."""
    if full_name:
        short = full_name.rpartition(".")[2]
        for m in fd.message_types_by_name.values():
            if m.full_name == full_name or m.name == short:
                return m
        raise KsqlStatementError("Schema does not contain the message %s" % full_name)
    return next(iter(fd.message_types_by_name.values()))


# -- descriptor -> ksql columns (inference) ----------------------------------------------------
def sql_type(field) -> SqlType:
    """The SQL type ksqlDB infers for one field (repeated and map included)."""
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value = field.message_type.fields_by_name["value"]
        return SqlType("MAP", key=SqlType("STRING"), value=_single_type(value))
    t = _single_type(field)
    if field.is_repeated:
        return SqlType("ARRAY", element=t)
    return t


_INTS = {"TYPE_INT32": "INTEGER", "TYPE_SINT32": "INTEGER", "TYPE_SFIXED32": "INTEGER",
         "TYPE_UINT32": "BIGINT", "TYPE_FIXED32": "BIGINT", "TYPE_INT64": "BIGINT",
         "TYPE_SINT64": "BIGINT", "TYPE_SFIXED64": "BIGINT", "TYPE_UINT64": "BIGINT",
         "TYPE_FIXED64": "BIGINT", "TYPE_BOOL": "BOOLEAN", "TYPE_DOUBLE": "DOUBLE",
         "TYPE_FLOAT": "DOUBLE", "TYPE_STRING": "STRING", "TYPE_BYTES": "BYTES",
         "TYPE_ENUM": "STRING"}
_WRAPPERS = {"google.protobuf.Int32Value": "INTEGER", "google.protobuf.UInt32Value": "BIGINT",
             "google.protobuf.Int64Value": "BIGINT", "google.protobuf.UInt64Value": "BIGINT",
             "google.protobuf.BoolValue": "BOOLEAN", "google.protobuf.DoubleValue": "DOUBLE",
             "google.protobuf.FloatValue": "DOUBLE", "google.protobuf.StringValue": "STRING",
             "google.protobuf.BytesValue": "BYTES"}


def _type_name(field) -> str:
    for name, number in field.__class__.__dict__.items():
        if name.startswith("TYPE_") and number == field.type:
            return name
    return ""


def _single_type(field) -> SqlType:
    m = field.message_type
    if m is None:
        return SqlType(_INTS[_type_name(field)])
    if m.full_name == "confluent.type.Decimal":
        p, s = _decimal_params(field)
        return SqlType("DECIMAL", precision=p, scale=s)
    if m.full_name == "google.type.Date":
        return SqlType("DATE")
    if m.full_name == "google.type.TimeOfDay":
        return SqlType("TIME")
    if m.full_name == "google.protobuf.Timestamp":
        return SqlType("TIMESTAMP")
    if m.full_name in _WRAPPERS:
        return SqlType(_WRAPPERS[m.full_name])
    return SqlType("STRUCT", fields=tuple((f.name.upper(), sql_type(f)) for f in m.fields))


def _decimal_params(field) -> tuple[int, int]:
    """precision and scale from ``[(confluent.field_meta).params]`` (ksqlDB's defaults: 64, 0)."""
    params = {}
    for opt, value in field.GetOptions().ListFields():
        if opt.name == "field_meta":
            params = dict(value.params)
    return int(params.get("precision", 64)), int(params.get("scale", 0))


def infer_columns(schema, is_key: bool, registry=None, full_name=None):
    """Columns from a registered Protobuf schema: the message's fields, upper-cased."""
    msg = pick_message(parse_schema(schema, registry), full_name)
    return [(f.name.upper(), sql_type(f)) for f in msg.fields]


# -- values ---------------------------------------------------------------------------------
def _to_message(msg, columns, row) -> None:
    """Set a message's fields from a row (field i+1 <- row[i], matched by name)."""
    for (name, t), v in zip(columns, row):
        if v is None:
            continue
        _set_field(msg, msg.DESCRIPTOR.fields_by_name[name], t, v)


def _set_field(msg, fd, t: SqlType, v) -> None:
    b = t.base
    if b == "ARRAY":
        target = getattr(msg, fd.name)
        for x in v:
            if t.element.base in ("STRUCT",) + tuple(_WELL_KNOWN):
                sub = target.add()
                if x is not None:
                    _fill_value(sub, t.element, x)
            else:
                target.append(_scalar(t.element, x))
        return
    if b == "MAP":
        target = getattr(msg, fd.name)
        value_fd = fd.message_type.fields_by_name["value"]
        for k, x in v.items():
            if value_fd.message_type is not None:
                sub = target[k]
                if x is not None:
                    _fill_value(sub, t.value, x)
            else:
                target[k] = _scalar(t.value, x)
        return
    if b == "STRUCT" or b in _WELL_KNOWN:
        _fill_value(getattr(msg, fd.name), t, v)
        getattr(msg, fd.name).SetInParent()
        return
    if fd.message_type is not None:          # a google.protobuf wrapper
        getattr(msg, fd.name).value = v
        getattr(msg, fd.name).SetInParent()
        return
    setattr(msg, fd.name, v)


def _scalar(t: SqlType, x):
    if x is not None:
        return x
    return {"BOOLEAN": False, "STRING": "", "BYTES": b"", "DOUBLE": 0.0}.get(t.base, 0)


def _fill_value(sub, t: SqlType, v) -> None:
    b = t.base
    sub.SetInParent()
    if b == "STRUCT":
        names = {n.upper(): n for n in sub.DESCRIPTOR.fields_by_name}
        for n, ft in t.fields:
            x = v.get(n)
            if x is not None:
                _set_field(sub, sub.DESCRIPTOR.fields_by_name[names.get(n.upper(), n)], ft, x)
    elif b == "DECIMAL":
        from confluent_kafka.schema_registry.common.protobuf import decimal_to_protobuf
        sub.MergeFromString(decimal_to_protobuf(Decimal(v), t.scale).SerializeToString())
    elif b == "DATE":
        d = _EPOCH_DATE + datetime.timedelta(days=v)
        sub.year, sub.month, sub.day = d.year, d.month, d.day
    elif b == "TIME":
        sub.hours, rest = divmod(v, 3_600_000)
        sub.minutes, rest = divmod(rest, 60_000)
        sub.seconds, ms = divmod(rest, 1000)
        sub.nanos = ms * 1_000_000
    elif b == "TIMESTAMP":
        sub.seconds, ms = divmod(v, 1000)
        sub.nanos = ms * 1_000_000


def _reader(fd, t: SqlType):
    """message field value -> SQL value, for one field and its column type."""
    b = t.base
    if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
        value_fd = fd.message_type.fields_by_name["value"]
        inner = _reader_single(value_fd, t.value if b == "MAP" else t)
        return lambda v: {k: inner(x) for k, x in v.items()}
    if fd.is_repeated:
        inner = _reader_single(fd, t.element if b == "ARRAY" else t)
        return lambda v: [inner(x) for x in v]
    return _reader_single(fd, t)


def _reader_single(fd, t: SqlType):
    m = fd.message_type
    if m is None:
        if fd.enum_type is not None:
            values = fd.enum_type.values_by_number
            return lambda v: values[v].name if v in values else str(v)
        if t.base == "DOUBLE":
            return float
        return lambda v: v
    name = m.full_name
    if name == "confluent.type.Decimal":
        from confluent_kafka.schema_registry.common.protobuf import protobuf_to_decimal
        return protobuf_to_decimal
    if name == "google.type.Date":
        return lambda v: (datetime.date(v.year, v.month, v.day) - _EPOCH_DATE).days
    if name == "google.type.TimeOfDay":
        return lambda v: ((v.hours * 60 + v.minutes) * 60 + v.seconds) * 1000 + v.nanos // 1_000_000
    if name == "google.protobuf.Timestamp":
        return lambda v: v.seconds * 1000 + v.nanos // 1_000_000
    if name in _WRAPPERS:
        return lambda v: v.value
    return _struct_reader(m, t)


def _struct_readers(m, t: SqlType):
    by_upper = {f.name.upper(): f for f in m.fields}
    out = []
    for n, ft in (t.fields if t.base == "STRUCT" else ()):
        fd = m.fields_by_name.get(n) or by_upper.get(n.upper())
        out.append((n, fd, _reader(fd, ft) if fd is not None else None))
    return out


def row_reader(msg_desc, columns):
    """message -> row for the columns (fields matched by name, then case-insensitively)."""
    read = _struct_reader(msg_desc, SqlType("STRUCT", fields=tuple(columns)))
    return lambda message: list(read(message).values())


def _struct_reader(m, t: SqlType):
    """message -> {field: value} for a STRUCT type; a message field not set reads as null,
    a scalar not set as its proto3 default."""
    fields = _struct_readers(m, t)

    def struct(v):
        return {n: (None if fd_ is None or (fd_.has_presence and not fd_.is_repeated
                                            and not v.HasField(fd_.name))
                    else r(getattr(v, fd_.name))) for n, fd_, r in fields}
    return struct


# -- framing ----------------------------------------------------------------------------------
def _zigzag_varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def message_indexes(indexes: list[int]) -> bytes:
    """Confluent's message-index path: [0] as one zero byte, else count then indexes."""
    if indexes == [0]:
        return b"\x00"
    return _zigzag_varint(len(indexes)) + b"".join(_zigzag_varint(i) for i in indexes)


def read_indexes(data, pos: int) -> tuple[list[int], int]:
    def varint(p):
        result = shift = 0
        while True:
            b = data[p]
            p += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return (result >> 1) ^ -(result & 1), p
            shift += 7
    count, pos = varint(pos)
    if count == 0:
        return [0], pos
    out = []
    for _ in range(count):
        i, pos = varint(pos)
        out.append(i)
    return out, pos


def _descriptor_at(fd, indexes):
    msg = list(fd.message_types_by_name.values())[indexes[0]]
    for i in indexes[1:]:
        msg = msg.nested_types[i]
    return msg


def _index_path(msg) -> list[int]:
    path = []
    while msg.containing_type is not None:
        path.append(msg.containing_type.nested_types.index(msg))
        msg = msg.containing_type
    path.append(list(msg.file.message_types_by_name.values()).index(msg))
    return path[::-1]


# -- serdes -------------------------------------------------------------------------------------
class _Writer:
    """The message class, its framing prefix and schema id a side writes with."""

    def __init__(self, columns, is_key, properties, registry, topic, fmt):
        full_name = full_name_property(properties, is_key)
        given = schema_id_property(properties, is_key) if fmt == "PROTOBUF" else None
        if given is not None:
            fd = registry.parsed(given, lambda s: parse_schema(s, registry), "PROTOBUF")
            desc = pick_message(fd, full_name)
            self.id = given
        else:
            pool = _new_pool()
            fdp = file_proto(columns, full_name or DEFAULT_NAME,
                             nullable_representation(properties, is_key))
            fd = _add(pool, fdp)
            desc = pick_message(fd, None)
            self.id = None
            if fmt == "PROTOBUF":
                text = base64.b64encode(fdp.SerializeToString()).decode("ascii")
                self.id = registry.register(subject(topic, is_key), text, "PROTOBUF")
                registry._parsed.setdefault(("PROTOBUF", self.id), fd)
        self.descriptor = desc
        self.cls = message_class(desc)
        self.columns = _match_columns(columns, desc)
        self.prefix = b"" if fmt == "PROTOBUF_NOSR" else \
            frame(self.id, message_indexes(_index_path(desc)))


def _match_columns(columns, desc):
    """Columns renamed to the message's field names (case-insensitive match)."""
    by_upper = {f.name.upper(): f.name for f in desc.fields}
    return [(by_upper.get(n.upper(), n), t) for n, t in columns]


def make(columns, is_key: bool, properties: dict, fail: Failure, registry, topic,
         fmt: str = "PROTOBUF") -> Serde:
    """The PROTOBUF (or, with ``fmt``, PROTOBUF_NOSR) serde of one side of ``topic``."""
    state = {}
    readers = {}

    def writer() -> _Writer:
        if "w" not in state:
            state["w"] = _Writer(columns, is_key, properties, registry, topic, fmt)
        return state["w"]

    def reader_for(schema_id: int, indexes: tuple):
        key = (schema_id, indexes)
        hit = readers.get(key)
        if hit is None:
            fd = registry.parsed(schema_id, lambda s: parse_schema(s, registry), "PROTOBUF")
            desc = _descriptor_at(fd, list(indexes))
            hit = readers[key] = (message_class(desc), row_reader(desc, columns))
        return hit

    def deserialize(data):
        if data is None:
            return None
        try:
            if fmt == "PROTOBUF_NOSR":
                w = writer()
                cls, to_row = w.cls, state.setdefault("r", row_reader(w.descriptor, columns))
                payload = bytes(data)
            else:
                if len(data) < 5 or data[0] != 0:
                    raise ValueError("Unknown magic byte!")
                indexes, pos = read_indexes(data, 5)
                cls, to_row = reader_for(int.from_bytes(data[1:5], "big"), tuple(indexes))
                payload = bytes(data[pos:])
            return to_row(cls.FromString(payload))
        except KsqlStatementError as e:
            raise fail.read(e.message) from None
        except Exception as e:       # DecodeError, an unknown id, a bad index path
            raise fail.read(str(e) or type(e).__name__) from None

    def serialize(values):
        if values is None:
            return None
        try:
            w = writer()
        except KsqlStatementError as e:
            raise fail.write(e.message) from None
        except Exception as e:      # the registry: unknown id, unreachable
            raise fail.write("Error getting the Protobuf schema: %s" % e) from None
        msg = w.cls()
        try:
            _to_message(msg, w.columns, values)
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            raise fail.write(str(e)) from None
        return w.prefix + msg.SerializeToString()

    serialize.register = writer          # inference.register_schemas: register now
    return Serde(fmt, is_key, deserialize, serialize)


def make_nosr(columns, is_key, properties, fail, registry, topic) -> Serde:
    return make(columns, is_key, properties, fail, registry, topic, fmt="PROTOBUF_NOSR")
