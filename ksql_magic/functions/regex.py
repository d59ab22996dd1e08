"""Regular-expression functions (ksqlDB category REGULAR EXPRESSION).

Java regex syntax is close to the ``regex`` package's (possessive quantifiers, atomic groups
and ``(?<name>...)`` included); the compiled pattern is cached so a column of patterns does
not recompile per record. A bad pattern gives NULL, as a failing UDF does in ksqlDB.

Why ``regex`` and not ``re``: a pattern with catastrophic backtracking (``(a+)+$`` in ``re``,
``(a|aa)+$`` in both, on a run of a's) takes time doubling with every input character, and ``re`` holds the interpreter for all of it
(a notebook's Stop cannot even run). Every match here runs with ``TIMEOUT`` seconds and
releases the GIL meanwhile; running out of time raises ``RegexTimeout``, a per-record
processing error: that record is skipped and logged, the query goes on.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from ..runtime.guard import RecordError
from .registry import scalar

R = "REGULAR EXPRESSION"
TIMEOUT = 0.5          # seconds one regular-expression evaluation may take, per record


class RegexTimeout(RecordError):
    """A regular expression ran longer than ``TIMEOUT`` on one record."""


@lru_cache(maxsize=512)
def _rx(pattern: str):
    """Compile with the ``regex`` package in its ``re``-compatible mode (V0)."""
    return regex.compile(pattern, regex.V0)


def bounded(method, *args, what: str = "regular expression"):
    """Run a compiled pattern's method (``rx.search``, ``rx.sub`` ...) with the timeout;
    a timeout is the record's processing error."""
    try:
        return method(*args, timeout=TIMEOUT, concurrent=True)
    except TimeoutError:
        raise RegexTimeout("Timed out after %gs evaluating %s" % (TIMEOUT, what)) from None


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
    m = bounded(_rx(pattern).search, s, what=repr(pattern))
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
    matches = bounded(lambda *a, **kw: list(rx.finditer(*a, **kw)), s, what=repr(pattern))
    return [m.group(group) for m in matches]


@scalar("REGEXP_REPLACE", ["STRING input", "STRING regex", "STRING replacement"], "STRING", R,
        "Replaces every match of a pattern.")
def regexp_replace(s, pattern, rep):
    if s is None or pattern is None or rep is None:
        return None
    return bounded(_rx(pattern).sub, _java_replacement(rep), s, what=repr(pattern))


@scalar("REGEXP_SPLIT_TO_ARRAY", ["STRING input", "STRING regex"], "ARRAY<STRING>", R,
        "Splits a string around matches of a pattern.")
def regexp_split_to_array(s, pattern):
    if s is None or pattern is None:
        return None
    rx = _rx(pattern)
    if rx.groups:
        rx = _rx(regex.sub(r"\((?!\?)", "(?:", rx.pattern))
    return bounded(rx.split, s, what=repr(pattern))
