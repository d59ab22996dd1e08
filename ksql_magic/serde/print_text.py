"""PRINT's rendering of registry-framed records: Avro as compact JSON, JSON_SR's payload,
Protobuf as JSON with its schema's field names.

Why apart from ``registry``: the formats (``avro_format``, ``protobuf_format``) import
``registry`` for its framing, so this rendering, which needs the formats, lives here and
``registry`` imports none of them (no import cycle).
"""

from __future__ import annotations

import base64
import io
import json
from typing import Optional

from . import avro_format, protobuf_format
from .registry import unframe


def framed_text(registry, data) -> Optional[str]:
    """PRINT's rendering of a registry-framed record: Avro as JSON text, JSON_SR's payload;
    None if ``data`` is not framed or its id is not in the registry."""
    if registry is None or data is None or len(data) < 5 or data[0] != 0:
        return None
    schema_id, payload = unframe(data)
    try:
        schema = registry.schema(schema_id)
    except Exception:           # not a registry record after all, or an unknown id
        return None
    kind = schema.schema_type or "AVRO"
    if kind == "JSON":
        return bytes(payload).decode("utf-8", "replace")
    if kind == "PROTOBUF":
        return _protobuf_text(registry, schema_id, data)
    if kind != "AVRO":
        return None
    import fastavro              # imported on use, as avro_format does: only Avro needs it
    parsed = registry.parsed(schema_id, avro_format._parse_registered, "AVRO")
    try:
        datum = fastavro.schemaless_reader(io.BytesIO(payload), parsed, None)
    except Exception:
        return None
    return json.dumps(datum, default=_json_default, separators=(",", ":"))


def _protobuf_text(registry, schema_id: int, data) -> Optional[str]:
    """A framed Protobuf record as compact JSON (field names as in its schema)."""
    from google.protobuf import json_format     # imported on use: only Protobuf needs it
    pf = protobuf_format
    try:
        fd = registry.parsed(schema_id, lambda s: pf.parse_schema(s, registry), "PROTOBUF")
        indexes, pos = pf.read_indexes(data, 5)
        msg = pf.message_class(pf._descriptor_at(fd, indexes)).FromString(bytes(data[pos:]))
        return json_format.MessageToJson(msg, preserving_proto_field_name=True, indent=None)
    except Exception:
        return None


def _json_default(v):
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    return str(v)
