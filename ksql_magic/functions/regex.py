"""Regular-expression functions (ksqlDB category REGULAR EXPRESSION).

Java regex syntax is close to Python's for the patterns people write; the compiled pattern is
cached so a column of patterns does not recompile per record. A bad pattern raises ValueError,
reported per record by the runtime.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .registry import scalar

R = "REGULAR EXPRESSION"


@lru_cache(maxsize=512)
def _rx(pattern: str):
    # Java's possessive/atomic forms are rare; translate the named-group spelling.
    return re.compile(pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=")
                      .replace("(?P<!", "(?<!"))


def _java_replacement(rep: str) -> str:
    # Java uses $1 / ${name}; Python uses \1 / \g<name>.
    out, i = [], 0
    while i < len(rep):
        c = rep[i]
        if c == "\\" and i + 1 < len(rep):
            out.append(rep[i + 1].replace("\\", "\\\\"))
            i += 2
        elif c == "$" and i + 1 < len(rep) and rep[i + 1] == "{":
            j = rep.index("}", i)
            out.append("\\g<%s>" % rep[i + 2:j])
            i = j + 1
        elif c == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            out.append("\\g<%s>" % rep[i + 1])
            i += 2
        else:
            out.append(c.replace("\\", "\\\\"))
            i += 1
    return "".join(out)


@scalar("REGEXP_EXTRACT", ["STRING pattern", "STRING input"], "STRING", R,
        "The first match of a pattern (or of one of its groups).")
def regexp_extract(pattern, s):
    return regexp_extract_group(pattern, s, 0)


@scalar("REGEXP_EXTRACT", ["STRING pattern", "STRING input", "INTEGER group"], "STRING", R)
def regexp_extract_group(pattern, s, group):
    if pattern is None or s is None or group is None:
        return None
    m = _rx(pattern).search(s)
    if not m or group > len(m.groups()):
        return None
    return m.group(group)


@scalar("REGEXP_EXTRACT_ALL", ["STRING pattern", "STRING input"], "ARRAY<STRING>", R,
        "Every match of a pattern (or of one of its groups).")
def regexp_extract_all(pattern, s):
    return regexp_extract_all_group(pattern, s, 0)


@scalar("REGEXP_EXTRACT_ALL", ["STRING pattern", "STRING input", "INTEGER group"],
        "ARRAY<STRING>", R)
def regexp_extract_all_group(pattern, s, group):
    if pattern is None or s is None or group is None:
        return None
    rx = _rx(pattern)
    if group > rx.groups:
        return None
    return [m.group(group) for m in rx.finditer(s)]


@scalar("REGEXP_REPLACE", ["STRING input", "STRING regex", "STRING replacement"], "STRING", R,
        "Replaces every match of a pattern.")
def regexp_replace(s, pattern, rep):
    if s is None or pattern is None or rep is None:
        return None
    return _rx(pattern).sub(_java_replacement(rep), s)


@scalar("REGEXP_SPLIT_TO_ARRAY", ["STRING input", "STRING regex"], "ARRAY<STRING>", R,
        "Splits a string around matches of a pattern.")
def regexp_split_to_array(s, pattern):
    if s is None or pattern is None:
        return None
    rx = _rx(pattern)
    if rx.groups:
        rx = re.compile(re.sub(r"\((?!\?)", "(?:", rx.pattern))
    return rx.split(s)
