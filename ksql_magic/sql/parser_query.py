"""The SELECT query of the ksqlDB dialect: projection, FROM with joins, windows and the
trailing clauses (tokens -> ast.Select).

Clause order is ksqlDB's: FROM, WINDOW, WHERE, GROUP BY, PARTITION BY, HAVING, EMIT,
LIMIT. A missing EMIT leaves ``emit`` None; whether that is a pull query or the 2018 talk's
push query is for the engine to decide.
"""

from __future__ import annotations

from ..errors import KsqlStatementError, KsqlSyntaxError
from . import ast
from .lexer import DECIMAL, FLOAT, INTEGER, WORD
from .parser_expr import TIME_UNITS, UNIT_MS, ExprParser

JOIN_KINDS = {"INNER": "INNER", "LEFT": "LEFT", "RIGHT": "RIGHT", "FULL": "FULL"}


class QueryParser(ExprParser):
    """SELECT ... FROM ... and its clauses."""

    def query(self) -> ast.Select:
        start = self.expect_word("SELECT")
        items = self._comma_list(self._select_item)
        self.expect_word("FROM")
        rel = self.relation()
        sel = {"items": tuple(items), "from_": rel}
        for keyword, clause in self._CLAUSES:
            if self.at_word(keyword):
                sel.update(clause(self))
        return ast.Select(**sel, pos=self.pos(start))

    # -- projection -------------------------------------------------------------------------
    def _select_item(self):
        t = self.tok
        if self.is_op("*"):
            self.advance()
            return ast.AllColumns(pos=self.pos(t))
        if (self.is_identifier() and self.is_op(".", t=self.peek())
                and self.is_op("*", t=self.peek(2))):
            self.advance()
            self.advance()
            self.advance()
            return ast.AllColumns(t.value, pos=self.pos(t))
        expr = self.expression()
        if self.is_op("->") and self.is_op("*", t=self.peek()):
            self.advance()
            self.advance()
            return ast.StructAll(expr, pos=self.pos(t))
        alias = None
        if self.accept_word("AS"):
            alias = self.identifier("alias")
        elif self.is_identifier(bare_alias=True):
            alias = self.advance().value
        return ast.SelectItem(expr, alias, pos=self.pos(t))

    # -- FROM -------------------------------------------------------------------------------
    def relation(self) -> ast.Relation:
        rel = self._aliased()
        while True:
            kind = self._join_kind()
            if kind is None:
                return rel
            right = self._aliased()
            within = self._within() if self.accept_word("WITHIN") else None
            self.expect_word("ON")
            on = self.expression()
            rel = ast.Join(kind, rel, right, on, within, pos=rel.pos)

    def _aliased(self) -> ast.SourceRef:
        t = self.identifier_token("source name")
        alias = None
        self._note("alias")
        if self.accept_word("AS"):
            alias = self.identifier("alias")
        elif self.is_identifier(bare_alias=True):
            alias = self.advance().value
        return ast.SourceRef(t.value, alias, pos=self.pos(t))

    def _join_kind(self) -> str | None:
        if self.accept_word("JOIN"):
            return "INNER"
        t = self.accept_word(*JOIN_KINDS)
        if t is None:
            return None
        if t.value != "INNER":
            self.accept_word("OUTER")
        self.expect_word("JOIN")
        return JOIN_KINDS[t.value]

    def _within(self) -> ast.WithinSpec:
        t = self.tok
        if self.accept_op("("):
            before = self.duration()
            self.expect_op(",")
            after = self.duration()
            self.expect_op(")")
        else:
            before = after = self.duration()
        grace = self._grace() if self.at_word("GRACE") else None
        return ast.WithinSpec(before, after, grace, pos=self.pos(t))

    def _grace(self) -> int:
        self.expect_word("GRACE")
        self.expect_word("PERIOD")
        return self.duration()

    def duration(self) -> int:
        """``n unit`` in milliseconds."""
        n = self.integer()
        self.at_word(*TIME_UNITS)
        if not (self.tok.kind == WORD and self.tok.value in TIME_UNITS):
            self.fail()
        return n * UNIT_MS[TIME_UNITS[self.advance().value]]

    # -- WINDOW -----------------------------------------------------------------------------
    def _window_clause(self):
        self.advance()
        if self.is_identifier() and self.is_word("TUMBLING", "HOPPING", "SESSION",
                                                 t=self.peek()):
            self.advance()        # ksqlDB's optional window name; it means nothing
        t = self.expect_word("TUMBLING", "HOPPING", "SESSION")
        self.expect_op("(")
        spec = self._WINDOWS[t.value](self)
        spec["retention"] = spec["grace"] = None
        if self.accept_op(","):
            if self.at_word("RETENTION"):
                self.advance()
                spec["retention"] = self.duration()
                if self.accept_op(","):
                    spec["grace"] = self._grace()
            else:
                spec["grace"] = self._grace()
        self.expect_op(")")
        return {"window": ast.WindowSpec(t.value, pos=self.pos(t), **spec)}

    def _tumbling(self):
        self.expect_word("SIZE")
        return {"size": self.duration()}

    def _hopping(self):
        self.expect_word("SIZE")
        size = self.duration()
        self.expect_op(",")
        self.expect_word("ADVANCE")
        self.expect_word("BY")
        return {"size": size, "advance": self.duration()}

    def _session(self):
        return {"size": self.duration()}

    _WINDOWS = {"TUMBLING": _tumbling, "HOPPING": _hopping, "SESSION": _session}

    # -- the other clauses ------------------------------------------------------------------
    def _where(self):
        self.advance()
        return {"where": self.expression()}

    def _group_by(self):
        self.advance()
        self.expect_word("BY")
        return {"group_by": self.grouping_list()}

    def _partition_by(self):
        self.advance()
        self.expect_word("BY")
        return {"partition_by": self.grouping_list()}

    def grouping_list(self) -> tuple:
        """``e, e, ...`` or ``(e, e, ...)`` of value expressions, as in ksqlDB's grammar;
        a leading '(' is tried as an expression first, then as the parenthesised list."""
        if not self.is_op("("):
            return tuple(self._comma_list(self.value_expression))
        mark = self.i
        try:
            return tuple(self._comma_list(self.value_expression))
        except KsqlSyntaxError as first:
            first_at = self.i
            self.i = mark
            try:
                self.advance()
                items = [] if self.is_op(")") else self._comma_list(self.value_expression)
                self.expect_op(")")
                return tuple(items)
            except KsqlSyntaxError:
                if self.i < first_at:
                    self.i = first_at
                    raise first
                raise

    def _having(self):
        self.advance()
        return {"having": self.expression()}

    def _emit(self):
        self.advance()
        return {"emit": self.expect_word("CHANGES", "FINAL").value}

    def _limit(self):
        """ksqlDB's grammar takes any number after LIMIT; a fraction is refused afterwards,
        and a negative count is left to the pull-query validator."""
        self.advance()
        start = self.tok
        neg = self.accept_op("-") is not None
        self._note("INTEGER_VALUE")
        if self.tok.kind in (DECIMAL, FLOAT):
            raise KsqlStatementError("Failed to prepare statement: Value must be integer for command: LIMIT",
                                     start.line, start.column)
        if self.tok.kind != INTEGER:
            self.fail()
        return {"limit": self.number_literal(neg, start).value}

    _CLAUSES = (("WINDOW", _window_clause), ("WHERE", _where), ("GROUP", _group_by),
                ("PARTITION", _partition_by), ("HAVING", _having), ("EMIT", _emit),
                ("LIMIT", _limit))
