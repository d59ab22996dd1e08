"""Room on the Python stack for statements with very long expressions.

Why: the parser builds ``a + a + ... + a`` (1000 terms, as generated SQL has) iteratively,
but planning, type checking and code generation walk the expression tree recursively,
three to four Python frames per level, so 1000 terms exceed Python's default limit of
1000 frames. ksqlDB compiles such statements, so while a statement is planned the limit is
raised to ``STATEMENT_FRAMES``; deeper trees still end in the engine's KsqlStatementError
("too deeply nested"), never in a crash. Python 3.11 frames of pure-Python calls do not use
the C stack, so this headroom is cheap.
"""

from __future__ import annotations

import contextlib
import sys

STATEMENT_FRAMES = 6000


@contextlib.contextmanager
def statement_depth():
    """Raise the recursion limit to ``STATEMENT_FRAMES`` for the block (never lowers it)."""
    before = sys.getrecursionlimit()
    if before >= STATEMENT_FRAMES:
        yield
        return
    sys.setrecursionlimit(STATEMENT_FRAMES)
    try:
        yield
    finally:
        try:
            sys.setrecursionlimit(before)
        except RecursionError:    # another thread is deeper than ``before`` right now
            pass
