"""JSON functions (ksqlDB category JSON): EXTRACTJSONFIELD, JSON_* and TO_JSON_STRING.

JSON text is written the way Jackson writes it (no spaces, Java doubles) so results compare
byte for byte. Invalid JSON input gives NULL, never an error.
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal

from .conversions import java_double
from . import javatime as jt
from .registry import scalar

J = "JSON"
_MISSING = object()


def _load(s):
    if s is None:
        return _MISSING
    try:
        return json.loads(s, parse_float=Decimal)
    except ValueError:
        pass
    try:
        # Jackson reads the first complete value and ignores trailing text ("{...}}").
        return _LENIENT.raw_decode(s.lstrip())[0]
    except ValueError:
        return _MISSING


_LENIENT = json.JSONDecoder(parse_float=Decimal)


def dumps(v) -> str:
    """Compact JSON text of a parsed or SQL value (Decimal and float as Jackson prints them)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return java_double(v) if v == v and abs(v) != float("inf") else '"%s"' % java_double(v)
    if isinstance(v, Decimal):
        return format(v, "f") if v == v.to_integral_value() and "E" not in str(v) else str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (bytes, bytearray)):
        return '"%s"' % base64.b64encode(v).decode("ascii")
    if isinstance(v, dict):
        return "{" + ",".join("%s:%s" % (json.dumps(str(k), ensure_ascii=False), dumps(x))
                              for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(dumps(x) for x in v) + "]"
    return json.dumps(str(v))


# -- JSONPath -----------------------------------------------------------------------------
_STEP = re.compile(r"\.([^.\[]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(\d+)\s*\]|\[\s*\*\s*\]")


def _path_steps(path: str):
    path = path.strip()
    if not path.startswith("$"):
        return None
    steps, pos = [], 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            return None
        name = m.group(1) or m.group(2) or m.group(3)
        steps.append(int(m.group(4)) if m.group(4) is not None else name)
        pos = m.end()
    return steps


@scalar("EXTRACTJSONFIELD", ["STRING jsonString", "STRING jsonPath"], "STRING", J,
        "The value at a JSONPath in a JSON string (strings unquoted, others as JSON).")
def extractjsonfield(s, path):
    if s is None or path is None:
        return None
    node = _load(s)
    steps = _path_steps(path)
    if node is _MISSING or steps is None:
        return None
    for step in steps:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return None
    if node is None:
        return None
    return node if isinstance(node, str) else dumps(node)


@scalar("IS_JSON_STRING", ["STRING json"], "BOOLEAN", J, "True if the string is valid JSON.")
def is_json_string(s):
    return s is not None and s.strip() != "" and _load(s) is not _MISSING


@scalar("JSON_ARRAY_LENGTH", ["STRING json"], "INTEGER", J,
        "The length of a JSON array, NULL if the string is not one.")
def json_array_length(s):
    node = _load(s)
    return len(node) if isinstance(node, list) else None


@scalar("JSON_ARRAY_CONTAINS", ["STRING jsonArray", "ANY value"], "BOOLEAN", J,
        "True if a JSON array contains the value.")
def json_array_contains(s, v):
    node = _load(s)
    if not isinstance(node, list):
        return False
    for x in node:
        if v is None and x is None:
            return True
        if x is None or v is None:
            continue
        if isinstance(v, bool) or isinstance(x, bool):
            if isinstance(v, bool) and isinstance(x, bool) and v == x:
                return True
        elif isinstance(v, str) == isinstance(x, str) and x == v:
            return True
    return False


@scalar("JSON_KEYS", ["STRING json"], "ARRAY<STRING>", J, "The keys of a JSON object.")
def json_keys(s):
    node = _load(s)
    return list(node.keys()) if isinstance(node, dict) else None


@scalar("JSON_RECORDS", ["STRING json"], "MAP<STRING, STRING>", J,
        "The entries of a JSON object, values as JSON text.")
def json_records(s):
    node = _load(s)
    if not isinstance(node, dict):
        return None
    return {k: (v if isinstance(v, str) else dumps(v)) for k, v in node.items()}


@scalar("JSON_ITEMS", ["STRING json"], "ARRAY<STRING>", J,
        "The elements of a JSON array, each as JSON text.")
def json_items(s):
    node = _load(s)
    return [dumps(x) for x in node] if isinstance(node, list) else None


@scalar("JSON_CONCAT", ["STRING jsonStrings"], "STRING", J,
        "Merges JSON objects, or concatenates arrays (other values become elements).",
        variadic=True)
def json_concat(*docs):
    nodes = [_load(d) for d in docs]
    if not nodes or any(n is _MISSING for n in nodes):
        return None
    if all(isinstance(n, dict) for n in nodes):
        out = {}
        for n in nodes:
            out.update(n)
        return dumps(out)
    items = []
    for n in nodes:
        items.extend(n if isinstance(n, list) else [n])
    return dumps(items)


# -- TO_JSON_STRING -----------------------------------------------------------------------
def _typed(v, ty):
    """A SQL value made JSON-ready using its static type (dates as ISO text, ...)."""
    if v is None or ty is None:
        return v
    b = ty.base
    if b in ("DATE", "TIME", "TIMESTAMP"):
        pattern = {"DATE": "yyyy-MM-dd", "TIME": "HH:mm:ss",
                   "TIMESTAMP": "yyyy-MM-dd'T'HH:mm:ss.SSS"}[b]
        return jt.format_millis(v * 86_400_000 if b == "DATE" else v, pattern)
    if b == "ARRAY":
        return [_typed(x, ty.element) for x in v]
    if b == "MAP":
        return {k: _typed(x, ty.value) for k, x in v.items()}
    if b == "STRUCT":
        return {n: _typed(v.get(n), ft) for n, ft in ty.fields}
    return v


def _to_json_factory(arg_types, ret):
    ty = arg_types[0]

    def fn(v):
        return dumps(_typed(v, ty))
    return fn


scalar("TO_JSON_STRING", ["ANY input"], "STRING", J,
       "Any value as JSON text.", factory=True)(_to_json_factory)
