"""Name resolution: which row slot a column reference reads.

A row inside the runtime is a flat Python list; a ``Scope`` maps (qualifier, name) to a slot
and a type. Joins put several sources' columns side by side, each qualified by its alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..errors import KsqlStatementError
from ..sql import ast
from ..types import SqlType


@dataclass(frozen=True)
class Slot:
    name: str
    type: SqlType
    index: int
    qualifiers: tuple[str, ...] = ()   # alias and source name
    namespace: str = "VALUE"           # KEY | VALUE | PSEUDO | WINDOW | HEADER(S)


@dataclass
class Scope:
    slots: list[Slot] = field(default_factory=list)
    clause: str = "SELECT"             # names the clause in "X column 'Y' cannot be resolved."
    lambda_vars: dict[str, tuple[str, SqlType]] = field(default_factory=dict)

    def add(self, name: str, type_: SqlType, qualifiers=(), namespace="VALUE") -> Slot:
        slot = Slot(name, type_, len(self.slots), tuple(q for q in qualifiers if q), namespace)
        self.slots.append(slot)
        return slot

    def with_clause(self, clause: str) -> "Scope":
        return Scope(self.slots, clause, dict(self.lambda_vars))

    def qualifiers(self) -> set[str]:
        return {q for s in self.slots for q in s.qualifiers}

    def find(self, name: str, qualifier: Optional[str] = None) -> Optional[Slot]:
        matches = [s for s in self.slots if s.name == name
                   and (qualifier is None or qualifier in s.qualifiers)]
        if not matches:
            return None
        return matches[0]

    def resolve(self, ref: ast.ColumnRef) -> Slot:
        if ref.source is not None and ref.source not in self.qualifiers():
            raise KsqlStatementError("Failed to prepare statement: '%s' is not a valid stream/table "
                                     "name or alias." % ref.source,
                                     ref.pos.line or None, ref.pos.column or None)
        matches = [s for s in self.slots if s.name == ref.name
                   and (ref.source is None or ref.source in s.qualifiers)]
        if not matches:
            shown = "%s.%s" % (ref.source, ref.name) if ref.source else ref.name
            from ..suggest import did_you_mean
            hint = did_you_mean(ref.name, [s.name for s in self.slots if ref.source is None
                                           or ref.source in s.qualifiers])
            raise KsqlStatementError("%s column '%s' cannot be resolved.%s" % (self.clause, shown, hint),
                                     ref.pos.line or None, ref.pos.column or None)
        if len({s.index for s in matches}) > 1 and ref.source is None:
            quals = sorted({s.qualifiers[0] for s in matches if s.qualifiers})
            raise KsqlStatementError(
                "Column '%s' is ambiguous. Could be any of: %s" % (
                    ref.name, ", ".join("%s.%s" % (q, ref.name) for q in quals)),
                ref.pos.line or None, ref.pos.column or None)
        return matches[0]
