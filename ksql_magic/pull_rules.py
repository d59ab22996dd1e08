"""What a pull query may say at all, checked before it is planned (ksqlDB's PullQueryValidator).

A pull query reads one source's current state once: no JOIN, WINDOW, GROUP BY, PARTITION BY
or HAVING, a LIMIT only while ``ksql.query.pull.limit.clause.enabled`` is on, and no
ROWPARTITION / ROWOFFSET (a table's state has no offsets). The clause checks come first so
the user hears "pull queries don't support X" rather than whatever planning X would trip on.
"""

from __future__ import annotations

from typing import Optional

from .catalog import ROW_POSITION_COLUMNS
from .errors import KsqlStatementError
from .planner import walk
from .pull_where import PULL_HELP
from .sql import ast

def flag(props: dict, name: str, default: bool = True) -> bool:
    """A boolean engine property (SET or Engine(properties=...)), ksqlDB's default if unset."""
    value = props.get(name)
    return default if value is None else str(value).strip().lower() == "true"


def check_clauses(select: ast.Select, props: dict) -> None:
    """Raise ksqlDB's message for the first clause a pull query cannot have."""
    for rule in (_join, _window, _group_by, _partition_by, _having, _limit,
                 _select_pseudo, _where_pseudo):
        msg = rule(select, props)
        if msg is not None:
            raise KsqlStatementError(msg + PULL_HELP, select.pos.line or None,
                                     select.pos.column or None)


def _join(select, props) -> Optional[str]:
    return "Pull queries don't support JOIN clauses." if isinstance(select.from_, ast.Join) else None


def _window(select, props) -> Optional[str]:
    return "Pull queries don't support WINDOW clauses." if select.window is not None else None


def _group_by(select, props) -> Optional[str]:
    return "Pull queries don't support GROUP BY clauses." if select.group_by else None


def _partition_by(select, props) -> Optional[str]:
    return "Pull queries don't support PARTITION BY clauses." if select.partition_by else None


def _having(select, props) -> Optional[str]:
    return "Pull queries don't support HAVING clauses." if select.having is not None else None


def _limit(select, props) -> Optional[str]:
    if select.limit is None:
        return None
    if not flag(props, "ksql.query.pull.limit.clause.enabled"):
        return ("LIMIT clause in pull queries is currently disabled. You can enable them by "
                "setting ksql.query.pull.limit.clause.enabled=true.")
    if select.limit < 0:
        return "Pull queries don't support negative integers in the LIMIT clause."
    return None


def _pseudo_names(exprs, props) -> list[str]:
    """ROWPARTITION / ROWOFFSET read by ``exprs``, once per expression (pseudo columns only
    while ``ksql.rowpartition.rowoffset.enabled`` makes them so)."""
    if not flag(props, "ksql.rowpartition.rowoffset.enabled"):
        return []
    names: list[str] = []
    for e in exprs:
        seen: list[str] = []
        for n in walk(e):
            if isinstance(n, ast.ColumnRef) and n.name in ROW_POSITION_COLUMNS and n.name not in seen:
                seen.append(n.name)
        names += sorted(seen, key=ROW_POSITION_COLUMNS.index)
    return names


def _select_pseudo(select, props) -> Optional[str]:
    items = [i.expr for i in select.items if isinstance(i, ast.SelectItem)]
    names = _pseudo_names(items, props)
    if not names:
        return None
    return ("Pull queries don't support the following columns in SELECT clauses: %s\n"
            % ", ".join("`%s`" % n for n in names))


def _where_pseudo(select, props) -> Optional[str]:
    names = _pseudo_names([select.where] if select.where is not None else [], props)
    if not names:
        return None
    return ("Pull queries don't support the following columns in WHERE clauses: %s\n"
            % ", ".join("`%s`" % n for n in names))
