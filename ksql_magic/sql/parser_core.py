"""The token cursor every parser layer stands on: lookahead, expectations, and the one place
syntax errors are raised.

Why expectations are recorded: each time the parser tests the current token for a keyword
or punctuation it notes what it hoped for, so that when it gives up the message can list
everything that would have been accepted there ("expecting {'WHERE', 'GROUP', ...}"), the
way ksqlDB's ANTLR parser does, without every call site writing its own message.
"""

from __future__ import annotations

from ..errors import KsqlSyntaxError
from . import ast
from .lexer import EOF, OP, QIDENT, WORD, Token

# Words that can never be an unquoted identifier: they structure statements and
# expressions. Everything else (KEY, VALUE, SIZE, TIMESTAMP, DATE, TYPE, FORMAT, ...) may
# name a column, which is more permissive than ksqlDB and never ambiguous here.
RESERVED = frozenset("""
    SELECT FROM AS ALL DISTINCT WHERE WITHIN WINDOW GROUP BY HAVING LIMIT OR AND IN NOT
    EXISTS BETWEEN LIKE IS NULL TRUE FALSE CASE WHEN THEN ELSE END JOIN FULL OUTER INNER
    LEFT RIGHT ON WITH VALUES CREATE CAST INSERT INTO DROP
""".split())

# Words that end a relation or a select item, so they cannot be a bare (AS-less) alias.
CLAUSE_WORDS = frozenset("""
    JOIN INNER FULL LEFT RIGHT OUTER WITHIN ON WINDOW WHERE GROUP PARTITION HAVING EMIT
    LIMIT FROM GRACE
""".split())

# Nesting deeper than this is refused with a syntax error rather than a RecursionError.
MAX_DEPTH = 64


class ParserCore:
    """A cursor over tokens with ANTLR-style error reporting."""

    def __init__(self, tokens: list[Token], source: str):
        self.toks = tokens
        self.source = source        # the text the tokens were cut from (for raw slices)
        self.i = 0
        self.depth = 0
        self._exp_at = -1
        self._expected: list[str] = []

    # -- looking ----------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if t.kind != EOF:
            self.i += 1
        return t

    def pos(self, t: Token | None = None) -> ast.Pos:
        t = t or self.tok
        return ast.Pos(t.line, t.column)

    def raw(self, t: Token) -> str:
        return self.source[t.offset:t.end]

    def _note(self, item: str) -> None:
        if self._exp_at != self.i:
            self._exp_at, self._expected = self.i, []
        if item not in self._expected:
            self._expected.append(item)

    def is_word(self, *words: str, t: Token | None = None) -> bool:
        t = t or self.tok
        return t.kind == WORD and t.value in words

    def is_op(self, *ops: str, t: Token | None = None) -> bool:
        t = t or self.tok
        return t.kind == OP and t.value in ops

    def at_word(self, *words: str) -> bool:
        """Test for a keyword, remembering it as an expectation for error messages."""
        for w in words:
            self._note("'%s'" % w)
        return self.is_word(*words)

    def at_op(self, *ops: str) -> bool:
        for o in ops:
            self._note("'%s'" % o)
        return self.is_op(*ops)

    def accept_word(self, *words: str) -> Token | None:
        return self.advance() if self.at_word(*words) else None

    def accept_op(self, *ops: str) -> Token | None:
        return self.advance() if self.at_op(*ops) else None

    def expect_word(self, *words: str) -> Token:
        if not self.at_word(*words):
            self.fail()
        return self.advance()

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            if op in (")", "]", ">") and self.tok.kind != EOF and len(self._expected) == 1:
                self.error("missing '%s' at %s" % (op, self.tok.describe()))
            self.fail()
        return self.advance()

    # -- errors -----------------------------------------------------------------------------
    def error(self, detail: str, t: Token | None = None) -> None:
        """Raise ksqlDB's 'Syntax Error' at a token (the current one by default)."""
        t = t or self.tok
        raise KsqlSyntaxError("Syntax Error\n" + detail, t.line, t.column)

    def fail(self, *also: str) -> None:
        """Raise 'mismatched input X expecting ...' listing what was tried at this token."""
        for item in also:
            self._note(item)
        exp = self._expected if self._exp_at == self.i else list(also)
        t = self.tok
        lead = "mismatched input %s" % t.describe()
        if t.kind == EOF:
            lead = "mismatched input '<EOF>'"
        if not exp:
            self.error(lead)
        if len(exp) == 1:
            self.error("%s expecting %s" % (lead, exp[0]))
        self.error("%s expecting {%s}" % (lead, ", ".join(exp)))

    def enter(self) -> None:
        """Count one level of nesting; refuse pathological depth."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error("statement nested too deeply (more than %d levels)" % MAX_DEPTH)

    def leave(self) -> None:
        self.depth -= 1

    # -- names ------------------------------------------------------------------------------
    def is_identifier(self, t: Token | None = None, bare_alias: bool = False) -> bool:
        t = t or self.tok
        if t.kind == QIDENT:
            return True
        if t.kind != WORD or t.value in RESERVED:
            return False
        return not (bare_alias and t.value in CLAUSE_WORDS)

    def identifier(self, what: str = "identifier") -> str:
        """An unquoted (upper-cased) or quoted (as written) name."""
        self._note(what)
        if not self.is_identifier():
            self.fail()
        return self.advance().value

    def identifier_token(self, what: str = "identifier") -> Token:
        self._note(what)
        if not self.is_identifier():
            self.fail()
        return self.advance()
