"""Checks a (format, columns, properties) choice the way ksqlDB does, with its messages.

Run when a source or a query's sink is created, before any record flows: unknown formats,
WITH properties the format has no config for, NONE with columns, map-typed key columns,
WRAP_SINGLE_VALUE misuse, types a format cannot carry (DELIMITED: primitives only; KAFKA: one
INTEGER/BIGINT/DOUBLE/STRING/BYTES column; JSON: maps with STRING keys only) and delimiter
values. Key-side type errors are wrapped the way ksqlDB reports them ("Key format does not
support schema. ... reason: ...").
"""

from __future__ import annotations

from ..errors import KsqlStatementError
from ..types import SqlType
from . import avro_format, protobuf_format
from .base import column_list
from .kafka_format import SUPPORTED_TYPES as KAFKA_TYPES

FORMATS = ("JSON", "DELIMITED", "KAFKA", "NONE", "AVRO", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR")
_COMPLEX = ("ARRAY", "MAP", "STRUCT")
# WITH properties that configure the key / value format, by the name ksqlDB gives the config.
_FORMAT_CONFIGS = {
    True: {"KEY_DELIMITER": "delimiter", "KEY_SCHEMA_FULL_NAME": "fullSchemaName",
           "KEY_SCHEMA_ID": "schemaId"},
    False: {"VALUE_DELIMITER": "delimiter", "VALUE_AVRO_SCHEMA_FULL_NAME": "fullSchemaName",
            "VALUE_SCHEMA_FULL_NAME": "fullSchemaName", "VALUE_SCHEMA_ID": "schemaId"},
}
# The configs each in-scope format accepts (the others accept none).
_SUPPORTED_CONFIGS = {"DELIMITED": ("delimiter",), "AVRO": ("fullSchemaName", "schemaId"),
                      "JSON_SR": ("schemaId",), "PROTOBUF": ("fullSchemaName", "schemaId"),
                      "PROTOBUF_NOSR": ()}
_BAD_DELIMITER = ("Failed to prepare statement: Configuration %s is invalid: %s\n"
                  "Example valid value: ';'")
_EMPTY_DELIMITER = ("Delimiter cannot be empty, if you meant to have a tab or space for "
                    "delimiter, please use the special values 'TAB' or 'SPACE'")


def _walk(t: SqlType):
    """``t`` and every type nested in it."""
    yield t
    for child in (t.element, t.key, t.value):
        if child is not None:
            yield from _walk(child)
    for _, ft in t.fields:
        yield from _walk(ft)


def _contains(t: SqlType, base: str) -> bool:
    return any(x.base == base for x in _walk(t))


def _flag(v):
    if v is None or isinstance(v, bool):
        return v
    return str(v).strip().lower() == "true"


def normalize_format(fmt) -> str:
    """The upper-case format name, or ksqlDB's "Unknown format" error."""
    name = str(fmt).strip().upper()
    if name in FORMATS:
        return name
    raise KsqlStatementError("Unknown format: %s" % name)


def validate_format(fmt, columns, *, is_key: bool, properties: dict | None = None) -> None:
    """Raise KsqlStatementError with ksqlDB's message if ``fmt`` cannot carry ``columns``."""
    properties = properties or {}
    name = normalize_format(fmt)
    _check_configs(name, properties, is_key)
    columns = list(columns)
    if name == "NONE" and columns:
        raise KsqlStatementError("The 'NONE' format can only be used when no columns are "
                                 "defined. Got: %s" % column_list(columns, is_key))
    if is_key:
        _check_map_keys(columns)
    else:
        _check_wrapping(name, columns, properties)
    if name == "DELIMITED":
        _check_delimiter(properties, "KEY_DELIMITER" if is_key else "VALUE_DELIMITER")
    reason = _TYPE_CHECKS[name](name, columns, is_key)
    if reason is None:
        return
    if is_key:
        raise KsqlStatementError(
            "Key format does not support schema.\nformat: %s\nschema: Persistence{columns=%s, "
            "features=[]}\nreason: %s" % (name, column_list(columns, True), reason))
    raise KsqlStatementError(reason)


def _check_configs(name: str, properties: dict, is_key: bool) -> None:
    """A WITH property configuring something the format does not have is an error
    (e.g. VALUE_AVRO_SCHEMA_FULL_NAME with JSON), not silently ignored."""
    supported = _SUPPORTED_CONFIGS.get(name, ())
    unsupported = list(dict.fromkeys(
        config for prop, config in _FORMAT_CONFIGS[is_key].items()
        if prop in properties and config not in supported))
    if unsupported:
        raise KsqlStatementError("%s does not support the following configs: [%s]"
                                 % (name, ", ".join(unsupported)))
    for prop, config in _FORMAT_CONFIGS[is_key].items():
        if config == "fullSchemaName" and prop in properties \
                and not str(properties[prop]).strip():
            raise KsqlStatementError("fullSchemaName cannot be empty. Format configuration: "
                                     "{fullSchemaName=}")


def _check_map_keys(columns) -> None:
    for n, t in columns:
        if _contains(t, "MAP"):
            raise KsqlStatementError(
                "Map keys, including types that contain maps, are not supported as they may "
                "lead to unexpected behavior due to inconsistent serialization. Key column "
                "name: `%s`. Column type: %s. See https://github.com/confluentinc/ksql/issues/"
                "6621 for more." % (n, t))


def _check_wrapping(name: str, columns, properties: dict) -> None:
    wrap = _flag(properties.get("WRAP_SINGLE_VALUE"))
    if wrap is None:
        return
    if len(columns) != 1:
        raise KsqlStatementError("'WRAP_SINGLE_VALUE' is only valid for single-field value "
                                 "schemas")
    if wrap and name in ("KAFKA", "DELIMITED"):
        raise KsqlStatementError("Format '%s' does not support 'WRAP_SINGLE_VALUE' set to "
                                 "'true'." % name)


def _check_delimiter(properties: dict, prop: str) -> None:
    raw = properties.get(prop)
    if raw is None:
        return
    raw = str(raw)
    if raw.upper() in ("TAB", "SPACE"):
        return
    if raw == "" or raw.isspace():
        raise KsqlStatementError(_BAD_DELIMITER % (prop, _EMPTY_DELIMITER))
    if len(raw) != 1:
        raise KsqlStatementError(_BAD_DELIMITER % (
            prop, "Invalid delimiter value: '%s'. Delimiter must be a single character or TAB,"
                  "SPACE" % raw))


def _json_types(name, columns, is_key):
    for _, t in columns:
        if any(x.base == "MAP" and x.key is not None and x.key.base != "STRING"
               for x in _walk(t)):
            return "JSON only supports MAP types with STRING keys"
    return None


def _delimited_types(name, columns, is_key):
    for _, t in columns:
        if t.base in _COMPLEX:
            return "The 'DELIMITED' format does not support type '%s'" % t.base
    return None


def _kafka_types(name, columns, is_key):
    if len(columns) > 1:
        return "The 'KAFKA' format only supports a single field. Got: %s" % column_list(
            columns, is_key)
    for _, t in columns:
        if t.base not in KAFKA_TYPES:
            return "The 'KAFKA' format does not support type '%s'" % t.base
    return None


def _protobuf_types(name, columns, is_key):
    return protobuf_format.check_columns(columns)


def _avro_types(name, columns, is_key):
    return avro_format.check_columns(columns)


_TYPE_CHECKS = {
    "JSON": _json_types,
    "JSON_SR": _json_types,
    "AVRO": _avro_types,
    "PROTOBUF": _protobuf_types,
    "PROTOBUF_NOSR": _protobuf_types,
    "DELIMITED": _delimited_types,
    "KAFKA": _kafka_types,
    "NONE": lambda name, columns, is_key: None,
}
