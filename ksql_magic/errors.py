"""The error hierarchy every layer raises; the one place user-facing errors are shaped.

Why one module: the magic and the conformance runner both catch ``KsqlError`` and nothing
else, so every mistake a user can make must surface as a subclass of it, carrying the
position (1-based line and column) of the token that caused it where there is one.
"""

from __future__ import annotations


class KsqlError(Exception):
    """Base of every error caused by a user's statement, data or configuration."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 statement: str | None = None):
        self.message = message
        self.line = line
        self.column = column
        self.statement = statement
        super().__init__(self._format())

    def _format(self) -> str:
        if self.line is not None and self.column is not None:
            return "line %d:%d: %s" % (self.line, self.column, self.message)
        return self.message

    def with_position(self, line: int | None, column: int | None,
                      statement: str | None = None) -> "KsqlError":
        """Attach a position when the raiser did not know it (keeps an existing one)."""
        if self.line is None and line is not None:
            self.line, self.column = line, column
        if statement is not None and self.statement is None:
            self.statement = statement
        self.args = (self._format(),)
        return self

    def caret(self) -> str:
        """The offending statement line with a caret under the column (for display)."""
        if self.statement is None or self.line is None or self.column is None:
            return ""
        lines = self.statement.splitlines() or [""]
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1]
        return text + "\n" + " " * (self.column - 1) + "^"


class KsqlSyntaxError(KsqlError):
    """The text does not parse: ksqlDB's 'Syntax Error'."""


class KsqlStatementError(KsqlError):
    """The statement parses but cannot run: unknown names, type errors, bad properties."""


class KsqlRuntimeError(KsqlError):
    """A failure while running a query that the user must know about (broker gone, ...)."""


class KsqlInternalError(KsqlStatementError):
    """A statement failed inside the engine in a way no check foresaw (a Python exception
    where a KsqlError was due). Still a KsqlError, so callers see one kind of failure and
    the statement is rolled back; the cause is chained for the bug report."""
