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
