"""The typed statement tree of the ksqlDB dialect: what the parser builds, everything else reads.

Every node is a frozen dataclass carrying ``pos`` (1-based line, column of its first token)
so that the analyzer can point at the offending token. ``pos`` never takes part in equality,
so two trees parsed from differently laid out text compare equal.

Names: unquoted identifiers arrive upper-cased, backticked ones exactly as written; the tree
never re-cases a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..types import SqlType


@dataclass(frozen=True)
class Pos:
    line: int = 0
    column: int = 0


NOPOS = Pos()


def _pos():
    return field(default=NOPOS, compare=False, kw_only=True, repr=False)


@dataclass(frozen=True)
class Node:
    pos: Pos = _pos()


# =========================================================================================
# Expressions
# =========================================================================================

@dataclass(frozen=True)
class Expr(Node):
    pass


@dataclass(frozen=True)
class Literal(Expr):
    """A constant. ``type`` is the literal's own type: 1 is INTEGER, 10000000000 BIGINT,
    1.5 DECIMAL(2,1) (as ksqlDB types a decimal literal), 1.5E0 DOUBLE, 'x' STRING,
    TRUE BOOLEAN, NULL the NULL type; typed literals (TIMESTAMP '...', ...) are cast by the
    analyzer."""
    value: Any
    type: SqlType


@dataclass(frozen=True)
class ColumnRef(Expr):
    """``name`` or ``source.name``; ``source`` is an alias or source name, or None."""
    name: str
    source: Optional[str] = None


@dataclass(frozen=True)
class Dereference(Expr):
    """``base->field`` (struct field access)."""
    base: Expr
    field: str


@dataclass(frozen=True)
class Subscript(Expr):
    """``base[index]``: 1-based array index (negative from the end) or map key."""
    base: Expr
    index: Expr


@dataclass(frozen=True)
class FunctionCall(Expr):
    """A scalar, aggregate or table function call. ``star`` is COUNT(*)."""
    name: str                      # upper-cased
    args: tuple[Expr, ...] = ()
    star: bool = False
    distinct: bool = False


@dataclass(frozen=True)
class TimeUnit(Expr):
    """A bare time-unit keyword used as a function argument (TIMESTAMPADD(SECONDS, 1, ts))."""
    unit: str                      # canonical: MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS, ...


@dataclass(frozen=True)
class BinaryOp(Expr):
    """Arithmetic (+ - * / %), string concat (||), comparison (= <> != < <= > >=), AND, OR."""
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class UnaryOp(Expr):
    """``NOT x``, ``-x``, ``+x``."""
    op: str
    operand: Expr


@dataclass(frozen=True)
class IsNull(Expr):
    operand: Expr
    negated: bool = False          # IS NOT NULL


@dataclass(frozen=True)
class IsDistinctFrom(Expr):
    left: Expr
    right: Expr
    negated: bool = False          # IS NOT DISTINCT FROM


@dataclass(frozen=True)
class Like(Expr):
    operand: Expr
    pattern: Expr
    escape: Optional[Expr] = None
    negated: bool = False


@dataclass(frozen=True)
class Between(Expr):
    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True)
class InList(Expr):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class Case(Expr):
    """Searched CASE (operand None) or simple CASE (operand compared to each WHEN value)."""
    operand: Optional[Expr]
    whens: tuple[tuple[Expr, Expr], ...]
    default: Optional[Expr] = None


@dataclass(frozen=True)
class Cast(Expr):
    """``CAST(operand AS type)``; ``typed_literal`` marks ``TIMESTAMP '...'``-style
    constants, which validation reads once when the statement is checked."""
    operand: Expr
    type: SqlType
    typed_literal: bool = field(default=False, compare=False, kw_only=True)


@dataclass(frozen=True)
class ArrayConstructor(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class MapConstructor(Expr):
    entries: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class StructConstructor(Expr):
    fields: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Lambda(Expr):
    """``x => body`` or ``(x, y) => body``; parameter names upper-cased unless quoted."""
    params: tuple[str, ...]
    body: Expr


# =========================================================================================
# Query parts
# =========================================================================================

@dataclass(frozen=True)
class SelectItem(Node):
    """One projected expression, with its alias if one was written (``AS`` optional)."""
    expr: Expr
    alias: Optional[str] = None


@dataclass(frozen=True)
class AllColumns(Node):
    """``*`` (source None) or ``alias.*``."""
    source: Optional[str] = None


@dataclass(frozen=True)
class StructAll(Node):
    """``base->*`` in a projection: every field of a struct as its own column.
    (Added by the parser owner: ksqlDB's selectStructAll.)"""
    base: Expr


@dataclass(frozen=True)
class Relation(Node):
    pass


@dataclass(frozen=True)
class SourceRef(Relation):
    """A named stream or table in FROM, with its alias if any."""
    name: str
    alias: Optional[str] = None

    @property
    def ref_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class WithinSpec(Node):
    """``WITHIN n unit`` (before == after) or ``WITHIN (before, after)``; all milliseconds."""
    before: int
    after: int
    grace: Optional[int] = None


@dataclass(frozen=True)
class Join(Relation):
    """``left <kind> JOIN right [WITHIN ...] ON condition``; N-way joins nest to the left."""
    kind: str                      # INNER | LEFT | RIGHT | FULL
    left: Relation
    right: Relation
    on: Expr
    within: Optional[WithinSpec] = None


@dataclass(frozen=True)
class WindowSpec(Node):
    """``WINDOW TUMBLING|HOPPING|SESSION (...)``; all durations in milliseconds.
    ``size`` is the gap for SESSION windows; ``advance`` only for HOPPING."""
    kind: str                      # TUMBLING | HOPPING | SESSION
    size: int
    advance: Optional[int] = None
    retention: Optional[int] = None
    grace: Optional[int] = None


@dataclass(frozen=True)
class Select(Node):
    items: tuple[SelectItem | AllColumns | StructAll, ...]
    from_: Relation
    where: Optional[Expr] = None
    window: Optional[WindowSpec] = None
    group_by: tuple[Expr, ...] = ()
    partition_by: tuple[Expr, ...] = ()
    having: Optional[Expr] = None
    emit: Optional[str] = None     # CHANGES | FINAL | None (pull query)
    limit: Optional[int] = None


# =========================================================================================
# Statements
# =========================================================================================

@dataclass(frozen=True)
class Statement(Node):
    """Base of statements. ``text`` is the statement's own source (after variable
    substitution), used in error messages and SHOW QUERIES."""
    text: str = field(default="", compare=False, kw_only=True, repr=False)


@dataclass(frozen=True)
class ColumnDef(Node):
    name: str
    type: SqlType
    key: bool = False              # KEY
    primary_key: bool = False      # PRIMARY KEY
    headers: bool = False          # HEADERS (ARRAY<STRUCT<KEY STRING, VALUE BYTES>>)
    header_key: Optional[str] = None   # HEADER('k')


@dataclass(frozen=True)
class Property(Node):
    """One ``NAME = value`` of a WITH clause; name upper-cased, value a Python literal."""
    name: str
    value: Any


@dataclass(frozen=True)
class CreateSource(Statement):
    """CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (cols) WITH (...)."""
    kind: str                      # STREAM | TABLE
    name: str
    columns: tuple[ColumnDef, ...]
    properties: tuple[Property, ...] = ()
    or_replace: bool = False
    if_not_exists: bool = False
    source: bool = False           # CREATE SOURCE TABLE (read-only, materialized)


@dataclass(frozen=True)
class CreateAsSelect(Statement):
    """CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (...)] AS SELECT ..."""
    kind: str
    name: str
    query: Select
    properties: tuple[Property, ...] = ()
    or_replace: bool = False
    if_not_exists: bool = False


@dataclass(frozen=True)
class InsertInto(Statement):
    """INSERT INTO target [WITH (...)] SELECT ..."""
    target: str
    query: Select
    properties: tuple[Property, ...] = ()


@dataclass(frozen=True)
class InsertValues(Statement):
    """INSERT INTO target [(cols)] VALUES (...)."""
    target: str
    columns: tuple[str, ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class QueryStatement(Statement):
    """A transient SELECT: a push query (EMIT CHANGES / FINAL) or a pull query."""
    query: Select


@dataclass(frozen=True)
class Show(Statement):
    """SHOW|LIST TOPICS|STREAMS|TABLES|QUERIES|PROPERTIES|FUNCTIONS|VARIABLES|TYPES."""
    what: str
    extended: bool = False
    all_: bool = False             # SHOW ALL TOPICS


@dataclass(frozen=True)
class Describe(Statement):
    """DESCRIBE [EXTENDED] name; ``name`` None for DESCRIBE STREAMS|TABLES [EXTENDED]."""
    name: Optional[str]
    extended: bool = False
    what: Optional[str] = None     # STREAMS | TABLES for the listing form


@dataclass(frozen=True)
class DescribeFunction(Statement):
    name: str


@dataclass(frozen=True)
class Print(Statement):
    topic: str
    from_beginning: bool = False
    interval: Optional[int] = None
    limit: Optional[int] = None


@dataclass(frozen=True)
class Terminate(Statement):
    query_id: Optional[str]        # None means ALL


@dataclass(frozen=True)
class Drop(Statement):
    kind: str                      # STREAM | TABLE | TYPE
    name: str
    if_exists: bool = False
    delete_topic: bool = False


@dataclass(frozen=True)
class Explain(Statement):
    """EXPLAIN <statement> or EXPLAIN <query id>."""
    statement: Optional[Statement] = None
    query_id: Optional[str] = None


@dataclass(frozen=True)
class SetProperty(Statement):
    name: str
    value: str


@dataclass(frozen=True)
class UnsetProperty(Statement):
    name: str


@dataclass(frozen=True)
class Define(Statement):
    name: str
    value: str


@dataclass(frozen=True)
class Undefine(Statement):
    name: str


@dataclass(frozen=True)
class AlterSource(Statement):
    """ALTER STREAM|TABLE name ADD [COLUMN] col type [, ADD ...].
    (Added by the parser owner: ksqlDB's alterSource.)"""
    kind: str                      # STREAM | TABLE
    name: str
    columns: tuple[ColumnDef, ...]


@dataclass(frozen=True)
class CreateType(Statement):
    """CREATE TYPE [IF NOT EXISTS] name AS type."""
    name: str
    type: SqlType
    if_not_exists: bool = False


# -- statements added for the documentation replay (issue 14): see sql/parser_admin.py --------

@dataclass(frozen=True)
class PauseResume(Statement):
    """PAUSE|RESUME query_id|ALL: ``query_id`` None means ALL."""
    action: str                    # PAUSE | RESUME
    query_id: Optional[str]


@dataclass(frozen=True)
class AlterSystem(Statement):
    """ALTER SYSTEM 'name'='value'."""
    name: str
    value: str


@dataclass(frozen=True)
class RunScript(Statement):
    """RUN SCRIPT 'path': the file's statements, run in order."""
    path: str


@dataclass(frozen=True)
class AssertTopic(Statement):
    """ASSERT [NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT n unit]."""
    topic: str
    exists: bool = True
    properties: tuple[Property, ...] = ()
    timeout_ms: Optional[int] = None


@dataclass(frozen=True)
class AssertSchema(Statement):
    """ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT n unit]."""
    subject: Optional[str] = None
    schema_id: Optional[int] = None
    exists: bool = True
    timeout_ms: Optional[int] = None


@dataclass(frozen=True)
class ConnectorStatement(Statement):
    """CREATE|DROP|DESCRIBE CONNECTOR, SHOW CONNECTORS, SHOW CONNECTOR PLUGINS: parsed so that
    the executor can say once, clearly, that connectors belong to Kafka Connect."""
    form: str                      # e.g. 'CREATE SOURCE CONNECTOR', 'SHOW CONNECTORS'
