"""``${name}`` substitution of DEFINE'd variables into statement text, as ksqlDB does it.

ksqlDB's rules (docs: "Substitute variables"): names are case-insensitive; a reference is
replaced by the variable's value wherever it appears, quotes included ('${format}' becomes
'AVRO'); ``$${name}`` escapes a reference (it stays literally ``${name}``); a reference to a
variable that is not defined is left as written, so the statement fails later naming it.
"""

from __future__ import annotations

import re

# Optional extra '$' escapes the reference.
_REFERENCE = re.compile(r"(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute_variables(text: str, variables: dict[str, str]) -> str:
    """Replace each ``${name}`` by its value (case-insensitive lookup)."""
    if "${" not in text:
        return text
    lookup = {k.upper(): v for k, v in variables.items()}

    def replace(m: re.Match) -> str:
        if m.group(1):
            return m.group(0)[1:]
        value = lookup.get(m.group(2).upper())
        return m.group(0) if value is None else value

    return _REFERENCE.sub(replace, text)
