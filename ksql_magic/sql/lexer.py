"""Tokens of the ksqlDB dialect: text -> positioned tokens, and text -> statement pieces.

Owns the character-level rules (quoting, comments, number shapes, operators) so the parser
only ever sees tokens. Every token carries the 1-based line and column of its first
character in the ORIGINAL text, which is why both functions take a starting position.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import KsqlSyntaxError

# Token kinds.
WORD = "WORD"          # unquoted identifier or keyword; value upper-cased
QIDENT = "QIDENT"      # `backticked` or "double-quoted" identifier; value as written
STRING = "STRING"      # 'single quoted'; value unescaped
INTEGER = "INTEGER"    # 123
DECIMAL = "DECIMAL"    # 1.5, .5, 1.
FLOAT = "FLOAT"        # 1.5E3
VARIABLE = "VARIABLE"  # ${name} left after substitution
OP = "OP"              # punctuation and operators; value is the operator text
EOF = "EOF"

# Longest first so that '<=' wins over '<'.
OPERATORS = ("=>", ":=", "->", "||", "<>", "!=", "<=", ">=",
             "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", ";")


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    line: int
    column: int
    offset: int            # index of the first character in the lexed text
    end: int               # index one past the last character

    def describe(self) -> str:
        """How the token reads in an error message (ANTLR style)."""
        if self.kind == EOF:
            return "<EOF>"
        return "'%s'" % self.text_repr()

    def text_repr(self) -> str:
        if self.kind == STRING:
            return "'" + self.value.replace("'", "''") + "'"
        if self.kind == QIDENT:
            return "`" + self.value + "`"
        return self.value


@dataclass(frozen=True)
class StatementText:
    """One statement's source and the 1-based position where it starts in the whole text."""
    text: str
    line: int
    column: int


class _Cursor:
    """Walks characters keeping line/column in step with the offset."""

    def __init__(self, text: str, line: int, column: int):
        self.text, self.i, self.line, self.col = text, 0, line, column

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < len(self.text) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i >= len(self.text):
                return
            if self.text[self.i] == "\n":
                self.line, self.col = self.line + 1, 1
            else:
                self.col += 1
            self.i += 1

    def startswith(self, s: str) -> bool:
        return self.text.startswith(s, self.i)


def _skip_comment(cur: _Cursor, strict: bool) -> bool:
    """Skip one comment at the cursor; True if there was one."""
    if cur.startswith("--"):
        while cur.peek() not in ("", "\n"):
            cur.advance()
        return True
    if cur.startswith("/*"):
        line, col = cur.line, cur.col
        end = cur.text.find("*/", cur.i + 2)
        if end < 0:
            if strict:
                raise KsqlSyntaxError("Syntax Error\nunterminated comment", line, col)
            cur.advance(len(cur.text) - cur.i)
            return True
        cur.advance(end + 2 - cur.i)
        return True
    return False


def _scan_quoted(cur: _Cursor, quote: str, strict: bool, what: str) -> str | None:
    """Scan a quoted run where a doubled quote escapes itself; returns the inner value."""
    line, col = cur.line, cur.col
    cur.advance()
    out = []
    while True:
        ch = cur.peek()
        if ch == "":
            if strict:
                raise KsqlSyntaxError("Syntax Error\nunterminated %s" % what, line, col)
            return None
        cur.advance()
        if ch == quote:
            if cur.peek() == quote:
                out.append(quote)
                cur.advance()
                continue
            return "".join(out)
        out.append(ch)


def _scan_number(cur: _Cursor) -> str:
    """Scan a number (digits, optional fraction, optional exponent); returns its kind."""
    kind = INTEGER
    while cur.peek().isdigit():
        cur.advance()
    if cur.peek() == "." and not cur.peek(1) == ".":
        kind = DECIMAL
        cur.advance()
        while cur.peek().isdigit():
            cur.advance()
    if cur.peek() in ("e", "E"):
        k = 1
        if cur.peek(1) in ("+", "-"):
            k = 2
        if cur.peek(k).isdigit():
            kind = FLOAT
            cur.advance(k)
            while cur.peek().isdigit():
                cur.advance()
    return kind


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _is_ident_part(ch: str) -> bool:
    return ch != "" and (ch.isalnum() or ch in "_@")


def tokenize(text: str, line: int = 1, column: int = 1) -> list[Token]:
    """Split ``text`` into tokens ending with an EOF token; comments and blanks dropped."""
    cur = _Cursor(text, line, column)
    tokens: list[Token] = []
    while True:
        ch = cur.peek()
        if ch == "":
            tokens.append(Token(EOF, "", cur.line, cur.col, cur.i, cur.i))
            return tokens
        if ch.isspace():
            cur.advance()
            continue
        if _skip_comment(cur, strict=True):
            continue
        tokens.append(_next_token(cur))


def _next_token(cur: _Cursor) -> Token:
    line, col, start = cur.line, cur.col, cur.i
    ch = cur.peek()

    def tok(kind, value):
        return Token(kind, value, line, col, start, cur.i)

    if ch == "'":
        return tok(STRING, _scan_quoted(cur, "'", True, "string literal"))
    if ch == "`":
        return tok(QIDENT, _scan_quoted(cur, "`", True, "quoted identifier"))
    if ch == '"':
        return tok(QIDENT, _scan_quoted(cur, '"', True, "quoted identifier"))
    if ch.isdigit() or (ch == "." and cur.peek(1).isdigit()):
        kind = _scan_number(cur)
        if _is_ident_part(cur.peek()) and kind == INTEGER:
            # ksqlDB's DIGIT_IDENTIFIER: 1abc is a name, not a number.
            while _is_ident_part(cur.peek()):
                cur.advance()
            return tok(WORD, cur.text[start:cur.i].upper())
        return tok(kind, cur.text[start:cur.i])
    if _is_ident_start(ch):
        while _is_ident_part(cur.peek()):
            cur.advance()
        return tok(WORD, cur.text[start:cur.i].upper())
    if cur.startswith("${"):
        end = cur.text.find("}", cur.i)
        if end > 0:
            cur.advance(end + 1 - cur.i)
            return tok(VARIABLE, cur.text[start:cur.i])
    for op in OPERATORS:
        if cur.startswith(op):
            cur.advance(len(op))
            return tok(OP, op)
    raise KsqlSyntaxError("Syntax Error\ntoken recognition error at: '%s'" % ch, line, col)


# -----------------------------------------------------------------------------------------
# Statement splitting
# -----------------------------------------------------------------------------------------

def split_statements(text: str) -> list[StatementText]:
    """Cut text at top-level ';' (outside quotes and comments); empty pieces are dropped.

    Tolerant on purpose: an unterminated string just runs to the end, so the parser of that
    piece reports the error with its position instead of the splitter guessing.
    """
    cur = _Cursor(text, 1, 1)
    pieces: list[StatementText] = []
    start = None      # (offset, line, col) of the first significant char of this piece
    while cur.peek() != "":
        ch = cur.peek()
        if ch.isspace():
            cur.advance()
            continue
        if cur.startswith("--") or cur.startswith("/*"):
            _skip_comment(cur, strict=False)
            continue
        if ch == ";":
            if start is not None:
                pieces.append(StatementText(text[start[0]:cur.i + 1], start[1], start[2]))
                start = None
            cur.advance()
            continue
        if start is None:
            start = (cur.i, cur.line, cur.col)
        if ch in "'`\"":
            _scan_quoted(cur, ch, False, "")
        else:
            cur.advance()
    if start is not None:
        pieces.append(StatementText(text[start[0]:].rstrip(), start[1], start[2]))
    return pieces
