"""Schema inference and registration for the registry formats, as ksqlDB's injectors do.

``CREATE STREAM s WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO');`` declares no value columns:
they are read from the registry — the schema of VALUE_SCHEMA_ID, else the latest version of
subject ``t-value`` — and likewise the key columns from ``t-key`` when the key format is a
registry format and no key column is declared. ``CREATE ... AS SELECT`` registers its sink's
schemas under ``<topic>-key`` / ``<topic>-value`` when the statement runs.
"""

from __future__ import annotations

from ..errors import KsqlStatementError
from . import avro_format, json_sr_format, make_serde, protobuf_format
from .registry import full_name_property, schema_id_property, subject

INFERRING = {"AVRO": avro_format.infer_columns, "JSON_SR": json_sr_format.infer_columns,
             "PROTOBUF": protobuf_format.infer_columns}
_SCHEMA_TYPES = {"AVRO": "AVRO", "JSON_SR": "JSON", "PROTOBUF": "PROTOBUF",
                 "PROTOBUF_NOSR": "PROTOBUF"}
_MISSING = ("Schema for message %s on topic '%s' does not exist in the Schema Registry.Subject: "
            "%s\n\nPossible causes include:\n- The topic itself does not exist\n\t-> Use SHOW "
            "TOPICS; to check\n- Messages on the topic are not serialized using a format Schema "
            "Registry supports\n\t-> Use PRINT '%s' FROM BEGINNING; to verify\n- Messages on the "
            "topic have not been serialized using a Confluent Schema Registry supported "
            "serializer\n\t-> See https://docs.confluent.io/current/schema-registry/docs/"
            "serializer-formatter.html\n- The schema is registered on a different instance of "
            "the Schema Registry\n\t-> Use the REST API to list available subjects\t"
            "https://docs.confluent.io/current/schema-registry/docs/api.html#get--subjects")


def needs_registry(*formats) -> bool:
    """Whether any of these formats reads or writes through the schema registry."""
    return any(str(f).upper() in _SCHEMA_TYPES for f in formats)


def check_schema_ids(props: dict, has_values: bool, value_fmt: str) -> None:
    """ksqlDB's checks of VALUE_SCHEMA_ID against the statement."""
    if "VALUE_SCHEMA_ID" not in props:
        return
    if value_fmt not in INFERRING:
        if has_values:           # the format's own check refuses the property
            return
        raise KsqlStatementError("VALUE_FORMAT should support schema inference when "
                                 "VALUE_SCHEMA_ID is provided. Current format is %s." % value_fmt)
    if has_values:
        raise KsqlStatementError("Table elements and VALUE_SCHEMA_ID cannot both exist for "
                                 "create statement.")


def infer(registry, topic: str, fmt: str, props: dict, is_key: bool):
    """[(name, SqlType)] read from the registry for one side, or None if the format cannot
    infer. A missing subject is ksqlDB's error for values; for keys it means no key."""
    if fmt not in INFERRING:
        return None
    schema_id = schema_id_property(props, is_key)
    if schema_id is not None:
        schema = registry.schema(schema_id)
    else:
        latest = registry.latest(subject(topic, is_key))
        if latest is None:
            if is_key:
                return None
            raise KsqlStatementError(_MISSING % ("values", topic, subject(topic, False), topic))
        schema = latest.schema
    stype = schema.schema_type or "AVRO"      # a registry leaves AVRO's type out
    if stype != _SCHEMA_TYPES[fmt]:
        raise KsqlStatementError("%s schema for subject %s is %s, not %s." % (
            "Key" if is_key else "Value", subject(topic, is_key), stype, fmt))
    if fmt == "PROTOBUF":
        return protobuf_format.infer_columns(schema, is_key, registry,
                                             full_name_property(props, is_key))
    return INFERRING[fmt](schema.schema_str, is_key)


def register_schemas(source) -> None:
    """Register a sink's key and value schemas now (ksqlDB does it when the statement runs,
    not at the first record), by serializing nothing: building each serde's writer."""
    for is_key, fmt, cols in ((True, source.key_format, source.key_columns),
                              (False, source.value_format, source.value_columns)):
        if fmt not in _SCHEMA_TYPES or fmt == "PROTOBUF_NOSR" or not cols:
            continue
        given = schema_id_property(source.properties, is_key)
        if given is not None:
            _check_given_schema(source.registry, given, fmt, is_key)
            continue
        serde = make_serde(fmt, [(c.name, c.type) for c in cols], is_key=is_key,
                           properties=source.properties, topic=source.topic,
                           registry=source.registry)
        register = getattr(serde.serialize, "register", None)
        if register is not None:
            register()


def _check_given_schema(registry, schema_id: int, fmt: str, is_key: bool) -> None:
    """A KEY/VALUE_SCHEMA_ID must name a registered schema of the side's format."""
    side = "key" if is_key else "value"
    try:
        schema = registry.schema(schema_id)
    except Exception as e:          # the client's "not found" (or an unreachable registry)
        raise KsqlStatementError("Could not get the %s schema with id %d from the Schema "
                                 "Registry: %s" % (side, schema_id, e)) from None
    stype = schema.schema_type or "AVRO"
    if stype != _SCHEMA_TYPES[fmt]:
        raise KsqlStatementError("The %s schema with id %d is %s, which the %s format cannot "
                                 "use." % (side, schema_id, stype, fmt))
