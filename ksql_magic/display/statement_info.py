"""What the display needs to know about a statement's text: the HAVING threshold
(``HAVING COUNT(*) > 3`` -> 3, drawn as the chart's rule) and the sink a CREATE ... AS
SELECT writes (watched to show a persistent query live).

Reads the statement tree from the dialect parser; anything it cannot read gives None (a
chart without a rule is still a good chart).
"""

from __future__ import annotations

import dataclasses

COMPARISONS = frozenset({">", ">=", "<", "<=", "="})


def parse(text: str):
    try:
        from ..sql.parser import parse_statement
        return parse_statement(text)
    except Exception:       # noqa: BLE001 - the engine reports syntax errors, not the display
        return None


def having_threshold(text: str):
    having = find_having(parse(text))
    return threshold_of(having) if having is not None else None


def sink_name(text: str):
    """The stream/table a CREATE ... AS SELECT creates (None for INSERT INTO and others)."""
    tree = parse(text)
    return tree.name if type(tree).__name__ == "CreateAsSelect" else None


def find_having(node, depth: int = 0):
    """Depth-first search of the tree for the first SELECT with a HAVING clause."""
    if depth > 50 or not dataclasses.is_dataclass(node):
        return None
    if getattr(node, "having", None) is not None:
        return node.having
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for child in (value if isinstance(value, (tuple, list)) else (value,)):
            found = find_having(child, depth + 1)
            if found is not None:
                return found
    return None


def threshold_of(expr):
    if getattr(expr, "op", None) not in COMPARISONS:
        return None
    for side in (expr.right, expr.left):
        value = getattr(side, "value", None)
        if isinstance(value, (int, float)) and not isinstance(value, bool) or \
                type(value).__name__ == "Decimal":
            return float(value)
    return None


def generated_names(text: str) -> dict:
    """``{"KSQL_COL_0": "COUNT(*)"}``: the expressions behind the names ksqlDB makes up for
    unaliased select items (``planner.default_name``), so a chart can title its axis with
    ``COUNT(*)`` and suggest an alias instead of showing KSQL_COL_0."""
    select = find_select(parse(text))
    if select is None:
        return {}
    from ..sql.format import format_expression
    items = [i for i in select.items if type(i).__name__ == "SelectItem"]
    taken = {i.alias.upper() for i in items if i.alias}
    names, counter = {}, 0
    for item in items:
        if item.alias or type(item.expr).__name__ in ("ColumnRef", "Dereference"):
            continue
        while "KSQL_COL_%d" % counter in taken:
            counter += 1
        try:
            names["KSQL_COL_%d" % counter] = format_expression(item.expr)
        except Exception:       # noqa: BLE001 - a title is not worth a failure
            pass
        counter += 1
    return names


def find_select(node, depth: int = 0):
    """The first SELECT of a statement tree (depth first)."""
    if depth > 50 or not dataclasses.is_dataclass(node):
        return None
    if type(node).__name__ == "Select":
        return node
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for child in (value if isinstance(value, (tuple, list)) else (value,)):
            found = find_select(child, depth + 1)
            if found is not None:
                return found
    return None
