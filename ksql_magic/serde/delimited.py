"""The DELIMITED format: one CSV record, as ksqlDB reads and writes it with Commons CSV.

Reading (``CSVFormat.DEFAULT`` with the chosen delimiter): fields may be enclosed in double
quotes (``""`` is a literal quote); an empty field is NULL for every type; the field count
must equal the column count; text is parsed with Java's rules (``Integer.parseInt``,
``Boolean.parseBoolean``, ``new BigDecimal`` fitted to the column's scale, base64 BYTES,
TIMESTAMP/DATE/TIME as epoch numbers).

Writing follows Commons CSV 1.4's MINIMAL quoting, the version ksqlDB ships: a record's first
field is quoted unless it starts with an ASCII letter or digit (so ``-10`` is written
``"-10"``); any field is quoted if it starts with a character up to ``#``, contains the
delimiter, a quote or a line break, or ends with a character up to space. NULL is written
as an empty field, DOUBLE as ``Double.toString``, DECIMAL as ``toPlainString``.
"""

from __future__ import annotations

import base64
import binascii

from . import java_numbers as jn
from .base import Failure, Serde

DELIMITER_NAMES = {"TAB": "\t", "SPACE": " "}
_DEFAULT_DELIMITER = ","


def delimiter_of(properties: dict, is_key: bool) -> str:
    """The delimiter character from KEY_DELIMITER / VALUE_DELIMITER (validated elsewhere)."""
    raw = properties.get("KEY_DELIMITER" if is_key else "VALUE_DELIMITER")
    if raw is None:
        return _DEFAULT_DELIMITER
    raw = str(raw)
    return DELIMITER_NAMES.get(raw.upper(), raw) if len(raw) > 1 else raw


# -- parsing one record -----------------------------------------------------------------------
class CsvError(ValueError):
    pass


def split_record(text: str, delim: str) -> list[str]:
    """The fields of the first record of ``text`` (Commons CSV lexer, no trimming)."""
    if '"' not in text and "\n" not in text and "\r" not in text:
        return text.split(delim) if text else []
    return _lex(text.lstrip("\r\n"), delim)


def _lex(text: str, delim: str) -> list[str]:
    fields: list[str] = []
    i, n = 0, len(text)
    if n == 0:
        return fields
    while True:
        if i < n and text[i] == '"':
            value, i = _quoted(text, i + 1, delim)
        else:
            j = i
            while j < n and text[j] != delim and text[j] not in "\r\n":
                j += 1
            value, i = text[i:j], j
        fields.append(value)
        if i >= n or text[i] in "\r\n":
            return fields
        i += 1          # past the delimiter
        if i >= n:
            fields.append("")
            return fields


def _quoted(text: str, i: int, delim: str) -> tuple[str, int]:
    out = []
    n = len(text)
    while True:
        j = text.find('"', i)
        if j < 0:
            raise CsvError("EOF reached before encapsulated token finished")
        out.append(text[i:j])
        if j + 1 < n and text[j + 1] == '"':
            out.append('"')
            i = j + 2
            continue
        i = j + 1
        while i < n and text[i] != delim and text[i] not in "\r\n":
            if not text[i].isspace():
                raise CsvError("invalid char between encapsulated token and delimiter")
            i += 1
        return "".join(out), i


# -- field parsers (text -> value), a table keyed by base type -------------------------------
def _fit(t):
    return lambda s: jn.ensure_fit(jn.parse_decimal(s), t.precision, t.scale)


def _time(s: str) -> int:
    v = jn.parse_int(s, 32)
    if not 0 <= v <= 86400000:
        raise ValueError("Time values must use number of milliseconds greater than 0 and "
                         "less than 86400000.")
    return v


def _bytes(s: str) -> bytes:
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("Value is not a valid Base64 encoded string: " + s) from None


_PARSERS = {
    "BOOLEAN": lambda t: jn.parse_boolean,
    "INTEGER": lambda t: jn.parse_int,
    "BIGINT": lambda t: lambda s: jn.parse_int(s, 64),
    "TIMESTAMP": lambda t: lambda s: jn.parse_int(s, 64),
    "DATE": lambda t: jn.parse_int,
    "TIME": lambda t: _time,
    "DOUBLE": lambda t: jn.parse_double,
    "STRING": lambda t: None,
    "DECIMAL": _fit,
    "BYTES": lambda t: _bytes,
}

# -- field printers (value -> text) -----------------------------------------------------------
_PRINTERS = {
    "BOOLEAN": lambda v: "true" if v else "false",
    "DOUBLE": lambda v: jn.java_double_str(float(v)),
    "DECIMAL": jn.plain,
    "BYTES": lambda v: base64.b64encode(v).decode("ascii"),
    "STRING": None,
}


def _printer(t):
    return _PRINTERS.get(t.base, str)


def _quote_if_needed(s: str, first: bool, delim: str) -> str:
    """Commons CSV 1.4 QuoteMode.MINIMAL."""
    if not s:
        return '""' if first else s
    c = s[0]
    quote = (first and not ("0" <= c <= "9" or "A" <= c <= "Z" or "a" <= c <= "z")) or c <= "#"
    if not quote:
        quote = delim in s or '"' in s or "\n" in s or "\r" in s or s[-1] <= " "
    return '"' + s.replace('"', '""') + '"' if quote else s


# -- the serde --------------------------------------------------------------------------------
def make(columns, is_key: bool, properties: dict, fail: Failure) -> Serde:
    delim = delimiter_of(properties, is_key)
    return Serde("DELIMITED", is_key, _deserializer(columns, delim, fail),
                 _serializer(columns, delim))


def _deserializer(columns, delim: str, fail: Failure):
    parsers = tuple(_PARSERS[t.base](t) for _, t in columns)
    count = len(columns)

    def deserialize(data):
        if data is None:
            return None
        try:
            fields = split_record(bytes(data).decode("utf-8", "replace"), delim)
        except CsvError as e:
            raise fail.read(str(e)) from None
        if not fields:
            raise fail.read("No fields in record")
        if len(fields) != count:
            raise fail.read("Unexpected field count, csvFields:%d schemaFields:%d"
                            % (len(fields), count))
        try:
            return [None if not s else (p(s) if p else s) for s, p in zip(fields, parsers)]
        except ValueError as e:
            raise fail.read(str(e)) from None
    return deserialize


def _serializer(columns, delim: str):
    printers = tuple(_printer(t) for _, t in columns)

    def serialize(values):
        if values is None:
            return None
        out = []
        first = True
        for v, p in zip(values, printers):
            if v is None:
                out.append("")
            else:
                out.append(_quote_if_needed(p(v) if p else v, first, delim))
            first = False
        return delim.join(out).encode("utf-8")
    return serialize
