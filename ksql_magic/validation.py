"""Statement validation: everything ksqlDB refuses about a statement's own text, checked
before the statement touches the catalog, the broker or a running query.

Why a layer of its own: the handlers in ``executor.py`` create topics, start and stop
queries as they go; a value they only discover to be wrong half-way (a WITH property of the
wrong type, a window that cannot exist) would leave something behind. Every check here looks
at the statement alone (plus the engine's properties for SET) and raises a
``KsqlStatementError`` that points at the offending token, with ksqlDB's words.

The tables are data: adding a WITH property, a session property or a window kind is one
entry, not a branch.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable, Optional

from .errors import KsqlStatementError
from .types import decimal_problem  # noqa: F401 - ksqlDB's DECIMAL rule, re-exported
from .sql import ast

# ------------------------------------------------------------------ Kafka ConfigDef types ---

INT32 = (-(2 ** 31), 2 ** 31 - 1)
INT64 = (-(2 ** 63), 2 ** 63 - 1)

# The Java class a parsed literal would be, for ConfigDef's "but it was a ..." messages.
_JAVA_CLASS = ((bool, "java.lang.Boolean"), (Decimal, "java.math.BigDecimal"),
               (float, "java.lang.Double"), (str, "java.lang.String"))


def _java_class(value: Any) -> str:
    for py, java in _JAVA_CLASS:
        if isinstance(value, py):
            return java
    if isinstance(value, int):
        return "java.lang.Integer" if INT32[0] <= value <= INT32[1] else "java.lang.Long"
    return "null" if value is None else type(value).__name__


class ConfigValueError(ValueError):
    """A value ConfigDef's parser refuses; the caller adds where it was written."""


def _parse_integer(value: Any, name: str, bounds: tuple, type_name: str, expected: str):
    if isinstance(value, bool):
        raise ConfigValueError("Expected value to be %s, but it was a java.lang.Boolean" % expected)
    if isinstance(value, int):
        if bounds[0] <= value <= bounds[1]:
            return value
        raise ConfigValueError("Expected value to be %s, but it was a %s" % (expected, _java_class(value)))
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text) and bounds[0] <= int(text) <= bounds[1]:
            return int(text)
        raise ConfigValueError("Not a number of type %s" % type_name)
    raise ConfigValueError("Expected value to be %s, but it was a %s" % (expected, _java_class(value)))


def parse_int(value, name):
    return _parse_integer(value, name, INT32, "INT", "a 32-bit integer")


def parse_long(value, name):
    return _parse_integer(value, name, INT64, "LONG", "a 64-bit integer (long)")


def parse_short(value, name):
    """ksqlDB narrows any number given for a SHORT property with Java's shortValue() before
    ConfigDef sees it (REPLICAS=1.5 is 1); a string must parse as a short."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        v = int(value) & 0xFFFF
        return v - 0x10000 if v >= 0x8000 else v
    return _parse_integer(value, name, (-(2 ** 15), 2 ** 15 - 1), "SHORT", "a 16-bit integer (short)")


def parse_boolean(value, name):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigValueError("Expected value to be either true or false")


def parse_string(value, name):
    if isinstance(value, str):
        return value.strip()
    raise ConfigValueError("Expected value to be a string, but it was a %s" % _java_class(value))


def non_empty(parse):
    def check(value, name):
        v = parse(value, name)
        if v == "":
            raise ConfigValueError("String must be non-empty")
        return v
    return check


def one_of(parse, *allowed: str, case_insensitive: bool = True):
    def check(value, name):
        v = parse(value, name)
        ok = v.upper() in (a.upper() for a in allowed) if case_insensitive else v in allowed
        if not ok:
            raise ConfigValueError("String must be one of: %s" % ", ".join(allowed))
        return v
    return check


def at_least(parse, low: int):
    def check(value, name):
        v = parse(value, name)
        if v < low:
            raise ConfigValueError("Value must be at least %d" % low)
        return v
    return check


def _config_error(name: str, value: Any, reason: str) -> str:
    """Kafka's ConfigException text."""
    shown = {True: "true", False: "false", None: "null"}.get(value, value) \
        if isinstance(value, (bool, type(None))) else value
    return "Invalid value %s for configuration %s: %s" % (shown, name, reason)


# ------------------------------------------------------------------ WITH clause properties ---

# CommonCreateConfigs: every CREATE and CREATE ... AS SELECT takes these.
COMMON_WITH: dict[str, Callable] = {
    "KAFKA_TOPIC": non_empty(parse_string),
    "PARTITIONS": parse_int,
    "REPLICAS": parse_short,
    "RETENTION_MS": parse_long,
    "VALUE_FORMAT": parse_string,
    "KEY_FORMAT": parse_string,
    "FORMAT": parse_string,
    "TIMESTAMP": parse_string,
    "TIMESTAMP_FORMAT": parse_string,
    "WRAP_SINGLE_VALUE": parse_boolean,
    "VALUE_AVRO_SCHEMA_FULL_NAME": parse_string,
    "KEY_SCHEMA_FULL_NAME": parse_string,
    "VALUE_SCHEMA_FULL_NAME": parse_string,
    "KEY_DELIMITER": parse_string,
    "VALUE_DELIMITER": parse_string,
    "KEY_SCHEMA_ID": parse_int,
    "VALUE_SCHEMA_ID": parse_int,
    "KEY_PROTOBUF_NULLABLE_REPRESENTATION": parse_string,
    "VALUE_PROTOBUF_NULLABLE_REPRESENTATION": parse_string,
}

# CreateConfigs: a plain CREATE STREAM / TABLE also takes the window of a windowed topic and
# (this engine's reading of the 2018 talk) the pre-0.10 KEY property.
CREATE_WITH: dict[str, Callable] = {
    **COMMON_WITH,
    "WINDOW_TYPE": one_of(parse_string, "SESSION", "HOPPING", "TUMBLING"),
    "WINDOW_SIZE": parse_string,
    "SOURCE_CONNECTOR": parse_string,
    "SOURCED_BY_CONNECTOR": parse_string,
    "KEY": parse_string,
}

CREATE_AS_WITH: dict[str, Callable] = dict(COMMON_WITH)
INSERT_INTO_WITH: dict[str, Callable] = {"QUERY_ID": parse_string}

# The embedded broker keeps a list per partition; a partition count past this is a typo
# (PARTITIONS=99999999 would take the machine's memory before anything could refuse it).
MAX_PARTITIONS = 10_000


def check_with(properties: tuple, table: dict[str, Callable]) -> dict[str, Any]:
    """Parse a WITH clause against its ConfigDef table: values of a known property must have
    its type, then unknown names are refused, as ksqlDB's WithClauseProperties does. Returns
    the parsed values by upper-case name."""
    parsed = {}
    for p in properties:
        parse = table.get(p.name.upper())
        if parse is None:
            continue
        try:
            parsed[p.name.upper()] = parse(p.value, p.name.upper())
        except ConfigValueError as e:
            raise at(p, _config_error(p.name.upper(), p.value, str(e))) from None
    unknown = [p for p in properties if p.name.upper() not in table]
    if unknown:
        raise at(unknown[0], "Invalid config variable(s) in the WITH clause: %s"
                 % ",".join(dict.fromkeys(p.name.upper() for p in unknown)))
    _check_topic_shape(properties, parsed)
    return parsed


def _check_topic_shape(properties: tuple, parsed: dict) -> None:
    """What the broker would refuse when the topic is created: partition and replica counts
    and the topic's name (Kafka's own rules and words)."""
    by_name = {p.name.upper(): p for p in properties}
    parts = parsed.get("PARTITIONS")
    if parts is not None and parts < 1:
        raise at(by_name["PARTITIONS"], "Invalid value %s for configuration PARTITIONS: "
                 "Number of partitions must be larger than 0." % parts)
    if parts is not None and parts > MAX_PARTITIONS:
        raise at(by_name["PARTITIONS"], "Invalid value %s for configuration PARTITIONS: "
                 "Number of partitions must be at most %d." % (parts, MAX_PARTITIONS))
    replicas = parsed.get("REPLICAS")
    if replicas is not None and replicas < 1 and replicas != -1:
        raise at(by_name["REPLICAS"], "Invalid value %s for configuration REPLICAS: "
                 "Replication factor must be larger than 0." % replicas)
    topic = parsed.get("KAFKA_TOPIC")
    if topic is not None:
        reason = topic_name_problem(topic)
        if reason:
            raise at(by_name["KAFKA_TOPIC"], reason)


_TOPIC_CHARS = re.compile(r"[a-zA-Z0-9._-]+")


def topic_name_problem(name: str) -> Optional[str]:
    """Kafka's Topic.validate, in its words; None when the name is legal."""
    if name == "":
        return "Must have non-empty topic name."
    if name in (".", ".."):
        return 'Topic name cannot be "." or ".."'
    if len(name) > 249:
        return "Topic name is illegal, it can't be longer than 249 characters, topic name: " + name
    if not _TOPIC_CHARS.fullmatch(name):
        return ('Topic name "%s" is illegal, it contains a character other than ASCII '
                "alphanumerics, '.', '_' and '-'" % name)
    return None


# ------------------------------------------------------------------ windows ---

# Each record joins SIZE / ADVANCE BY hopping windows, each with its own state: past this
# one record's work is measured in minutes and its state in gigabytes (SIZE 1 DAY,
# ADVANCE BY 1 MILLISECOND is 86.4 million windows per record).
MAX_WINDOWS_PER_RECORD = 10_000


def check_window(spec: Optional[ast.WindowSpec]) -> None:
    """Kafka Streams' own checks on TimeWindows / SessionWindows, made before the query is
    planned (a zero advance would loop forever, a negative one grow memory without end)."""
    if spec is None:
        return
    if spec.kind == "SESSION":
        if spec.size <= 0:
            raise at(spec, "Gap time cannot be zero or negative.")
    else:
        if spec.size <= 0:
            raise at(spec, "Window size (sizeMs) must be larger than zero.")
        advance = spec.advance if spec.kind == "HOPPING" else spec.size
        if advance <= 0 or advance > spec.size:
            raise at(spec, "Window advancement interval should be more than zero and less than "
                           "window duration which is %d ms, but given advancement interval is: %d ms"
                     % (spec.size, advance))
        if spec.kind == "HOPPING" and -(-spec.size // advance) > MAX_WINDOWS_PER_RECORD:
            raise at(spec, "A HOPPING window of SIZE %d ms that ADVANCEs BY %d ms puts every record "
                           "in %d windows; at most %d are supported. Use a larger ADVANCE BY."
                     % (spec.size, advance, -(-spec.size // advance), MAX_WINDOWS_PER_RECORD))
    if spec.grace is not None and spec.grace < 0:
        raise at(spec, "Grace period must not be negative.")
    if spec.retention is not None and spec.retention < 0:
        raise at(spec, "Window retention must not be negative.")


def check_within(within: Optional[ast.WithinSpec], node) -> None:
    """JoinWindows' checks on WITHIN: the interval and the grace cannot be negative."""
    if within is None:
        return
    where = within if within.pos.line else node
    if within.before + within.after < 0:
        raise at(where, "Window interval (ie, beforeMs+afterMs) must not be negative.")
    if within.grace is not None and within.grace < 0:
        raise at(where, "Grace period must not be negative.")


def _joins(relation):
    while isinstance(relation, ast.Join):
        yield relation
        relation = relation.left


def check_select(select: ast.Select) -> None:
    check_window(select.window)
    for j in _joins(select.from_):
        check_within(j.within, j)
    check_typed_literals(select)


# ------------------------------------------------------------------ typed literals ---

_YEAR_RANGE = (0, 9999)


def check_typed_literals(node) -> None:
    """``TIMESTAMP '...'`` / ``DATE '...'`` / ``TIME '...'`` written in a statement are
    constants: one that cannot be read (a month 13, a year past 9999) is refused here rather
    than failing on every row."""
    for cast in _typed_literals(node):
        text = cast.operand.value
        reason = _temporal_problem(cast.type.base, text)
        if reason:
            raise at(cast, "Invalid %s literal '%s': %s" % (cast.type.base, text, reason))


def _typed_literals(node):
    if isinstance(node, ast.Cast) and getattr(node, "typed_literal", False):
        yield node
        return
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from _typed_literals(x)
        return
    fields = getattr(node, "__dataclass_fields__", None)
    if not fields or not isinstance(node, ast.Node):
        return
    for name in fields:
        if name != "pos":
            yield from _typed_literals(getattr(node, name))


def _temporal_problem(base: str, text: str) -> Optional[str]:
    from . import temporal
    parse = {"TIMESTAMP": temporal.parse_timestamp, "DATE": temporal.parse_date,
             "TIME": temporal.parse_time}.get(base)
    if parse is None or not isinstance(text, str):
        return None
    year = re.match(r"\s*([+-]?\d+)-", text)
    if base != "TIME" and year and not _YEAR_RANGE[0] <= int(year.group(1)) <= _YEAR_RANGE[1]:
        return "year %s is out of range %d..%d" % (year.group(1), *_YEAR_RANGE)
    try:
        parse(text)
    except (ValueError, OverflowError) as e:
        return str(e) or "cannot be parsed"
    return None


# ------------------------------------------------------------------ session properties ---

def _streams(name: str) -> str:
    return "ksql.streams." + name


_BOOL_PROPERTIES = (
    "ksql.persistence.wrap.single.values", "ksql.query.pull.table.scan.enabled",
    "ksql.query.pull.range.scan.enabled", "ksql.query.pull.limit.clause.enabled",
    "ksql.query.push.v2.enabled", "ksql.timestamp.throw.on.invalid",
    "ksql.rowpartition.rowoffset.enabled", "ksql.query.pull.interpreter.enabled",
    "ksql.suppress.enabled", "ksql.headers.columns.enabled",
)
_LONG_AT_LEAST_0 = ("commit.interval.ms", "cache.max.bytes.buffering",
                    "statestore.cache.max.bytes", "ksql.streams.cache.max.bytes.buffering")

# Known session properties and how ConfigDef reads their values; a property not listed is
# passed through, as ksqlDB passes unknown client properties to Kafka.
SESSION_PROPERTIES: dict[str, Callable] = {
    "auto.offset.reset": one_of(parse_string, "latest", "earliest", "none"),
    "processing.guarantee": one_of(parse_string, "at_least_once", "exactly_once",
                                   "exactly_once_beta", "exactly_once_v2", case_insensitive=False),
    "num.stream.threads": parse_int,
    "ksql.functions.collect_list.limit": parse_int,
    "ksql.functions.collect_set.limit": parse_int,
    "ksql.sink.partitions": parse_int,
    "ksql.service.id": parse_string,
    **{name: parse_boolean for name in _BOOL_PROPERTIES},
    **{name: at_least(parse_long, 0) for name in _LONG_AT_LEAST_0},
}


def _session_parser(name: str):
    """The parser for a property, looking through ksqlDB's client prefixes."""
    for prefix in ("", "ksql.streams.", "ksql.streams.consumer.", "ksql.streams.producer.",
                   "consumer.", "producer."):
        if name.startswith(prefix) and name[len(prefix):] in SESSION_PROPERTIES:
            short = name[len(prefix):]
            return short, SESSION_PROPERTIES[short]
    return name, None


def check_property(name: str, value: str, node) -> str:
    """A SET / session property value of the property's type (ksqlDB's PropertyParser)."""
    short, parse = _session_parser(name)
    if parse is None:
        return value
    try:
        parse(value, short)
    except ConfigValueError as e:
        raise at(node, _config_error(short, value, str(e))) from None
    return value


# ------------------------------------------------------------------ per statement kind ---

def at(node, message: str) -> KsqlStatementError:
    pos = getattr(node, "pos", None)
    line = (pos.line or None) if pos is not None else None
    column = (pos.column or None) if pos is not None else None
    return KsqlStatementError(message, line, column)


def _create_source(stmt: ast.CreateSource) -> None:
    check_with(stmt.properties, CREATE_WITH)


def _create_as(stmt: ast.CreateAsSelect) -> None:
    check_with(stmt.properties, CREATE_AS_WITH)
    check_select(stmt.query)


def _insert_into(stmt: ast.InsertInto) -> None:
    check_with(stmt.properties, INSERT_INTO_WITH)
    check_select(stmt.query)


def _query(stmt: ast.QueryStatement) -> None:
    check_select(stmt.query)


def _set(stmt: ast.SetProperty) -> None:
    check_property(stmt.name, stmt.value, stmt)


def _insert_values(stmt: ast.InsertValues) -> None:
    check_typed_literals(stmt.values)


CHECKS: dict[type, Callable] = {
    ast.CreateSource: _create_source,
    ast.CreateAsSelect: _create_as,
    ast.InsertInto: _insert_into,
    ast.QueryStatement: _query,
    ast.SetProperty: _set,
    ast.InsertValues: _insert_values,
}


def check_statement(stmt: ast.Statement) -> None:
    """Run the statement kind's checks (those that need no catalog) before anything happens."""
    check = CHECKS.get(type(stmt))
    if check is not None:
        check(stmt)
