"""Public entry points of the dialect parser: split text into statements, parse one
statement, an expression or a type.

Everything raised from here is a ``KsqlError``: the lexer and parsers raise
``KsqlSyntaxError`` with the 1-based position of the offending token, and a pathological
input that still exhausts Python's stack is turned into one as well.
"""

from __future__ import annotations

import dataclasses

from .. import types
from ..errors import KsqlError, KsqlSyntaxError
from . import ast
from .lexer import EOF, StatementText, split_statements, tokenize
from .parser_stmt import StatementParser

__all__ = ["StatementText", "split_statements", "parse_statement", "parse_expression",
           "parse_type"]


def _guarded(run, text: str, line: int, column: int):
    """Run a parse, converting anything that is not a KsqlError into a syntax error."""
    try:
        return run()
    except KsqlError:
        raise
    except RecursionError:
        raise KsqlSyntaxError("Syntax Error\nstatement nested too deeply", line, column)
    except Exception as exc:  # a parser bug must still reach the user as a KsqlError
        raise KsqlSyntaxError("Syntax Error\n%s: %s" % (type(exc).__name__, exc), line, column)


def _parser(text: str, line: int, column: int) -> StatementParser:
    return StatementParser(tokenize(text, line, column), text)


def parse_statement(text: str, line: int = 1, column: int = 1) -> ast.Statement:
    """Parse one statement (a trailing ';' is optional); positions are relative to the
    original text, where this statement starts at ``line``:``column``."""
    def run():
        stmt = _parser(text, line, column).statement()
        return dataclasses.replace(stmt, text=text.strip())
    return _guarded(run, text, line, column)


def _whole(p: StatementParser, produce):
    result = produce()
    if p.tok.kind != EOF:
        p.fail("<EOF>")
    return result


def parse_expression(text: str) -> ast.Expr:
    """Parse a lone expression (used by tests, UDF helpers and the analyzer)."""
    def run():
        p = _parser(text, 1, 1)
        return _whole(p, p.expression)
    return _guarded(run, text, 1, 1)


def parse_type(text: str) -> types.SqlType:
    """Parse a type such as ``ARRAY<STRUCT<A INT, B STRING>>``."""
    def run():
        p = _parser(text, 1, 1)
        return _whole(p, p.type_)
    return _guarded(run, text, 1, 1)
