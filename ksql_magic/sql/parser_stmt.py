"""Statements of the ksqlDB dialect (tokens -> ast.Statement), dispatched by first keyword.

Adding a statement is one entry in ``STATEMENTS`` (first word -> method) and one method.
"""

from __future__ import annotations

from . import ast
from .lexer import EOF, STRING, VARIABLE, WORD
from .parser_admin import ADMIN_STATEMENTS, AdminStatementParser
from .parser_query import QueryParser

SHOWABLE = ("TOPICS", "STREAMS", "TABLES", "QUERIES", "PROPERTIES", "FUNCTIONS",
            "VARIABLES", "TYPES")
EXTENDABLE = ("TOPICS", "STREAMS", "TABLES", "QUERIES")


class StatementParser(AdminStatementParser, QueryParser):
    """One statement, terminated by an optional ';' and the end of the text."""

    def statement(self) -> ast.Statement:
        t = self.tok
        handler = self.STATEMENTS.get(t.value) if t.kind == WORD else None
        if handler is None:
            if t.kind == EOF:
                self.error("empty statement")
            self.error("Unknown statement %s" % t.describe())
        stmt = handler(self)
        self.accept_op(";")
        if self.tok.kind != EOF:
            self.fail("<EOF>" if self.toks[self.i - 1].value == ";" else "';'")
        return stmt

    # -- queries ----------------------------------------------------------------------------
    def _select(self):
        t = self.tok
        return ast.QueryStatement(self.query(), pos=self.pos(t))

    def _insert(self):
        t = self.advance()
        self.expect_word("INTO")
        target = self.identifier("source name")
        if self.is_op("(") or self.is_word("VALUES"):
            return self._insert_values(t, target)
        props = self.with_properties() if self.at_word("WITH") else ()
        self.at_word("VALUES")
        self.at_op("(")
        return ast.InsertInto(target, self.query(), props, pos=self.pos(t))

    def _insert_values(self, t, target):
        columns = ()
        if self.accept_op("("):
            columns = tuple(self._comma_list(lambda: self.identifier("column name")))
            self.expect_op(")")
        self.expect_word("VALUES")
        self.expect_op("(")
        values = () if self.is_op(")") else tuple(self._comma_list(self.value_expression))
        self.expect_op(")")
        return ast.InsertValues(target, columns, values, pos=self.pos(t))

    # -- CREATE -----------------------------------------------------------------------------
    def _create(self):
        t = self.advance()
        or_replace = False
        if self.accept_word("OR"):
            self.expect_word("REPLACE")
            or_replace = True
        if self.at_word("TYPE") and not or_replace:
            return self._create_type(t)
        connector = None if or_replace else self.connector_form(t, "CREATE")
        if connector is not None:
            return connector
        source = self.accept_word("SOURCE") is not None
        kind = self.expect_word("STREAM", "TABLE").value
        if_not_exists = self._if_exists("NOT")
        name = self.identifier("source name")
        columns = self._table_elements() if self.at_op("(") else None
        props = self.with_properties() if self.at_word("WITH") else ()
        if columns is None and not source and self.at_word("AS"):
            self.advance()
            return ast.CreateAsSelect(kind, name, self.query(), props, or_replace,
                                      if_not_exists, pos=self.pos(t))
        return ast.CreateSource(kind, name, columns or (), props, or_replace, if_not_exists,
                                source, pos=self.pos(t))

    def _if_exists(self, *middle: str) -> bool:
        if not self.accept_word("IF"):
            return False
        for w in middle:
            self.expect_word(w)
        self.expect_word("EXISTS")
        return True

    def _table_elements(self) -> tuple:
        self.expect_op("(")
        cols = self._comma_list(self._column_def)
        self.expect_op(")")
        return tuple(cols)

    def _column_def(self) -> ast.ColumnDef:
        t = self.tok
        name = self.identifier("column name")
        typ = self.type_()
        extra = {}
        if self.accept_word("PRIMARY"):
            self.expect_word("KEY")
            extra["primary_key"] = True
        elif self.accept_word("KEY"):
            extra["key"] = True
        elif self.accept_word("HEADERS"):
            extra["headers"] = True
        elif self.accept_word("HEADER"):
            self.expect_op("(")
            self._note("STRING")
            if self.tok.kind != STRING:
                self.fail()
            extra["header_key"] = self.advance().value
            self.expect_op(")")
        else:
            self.at_op(",")
            self.at_op(")")
        return ast.ColumnDef(name, typ, pos=self.pos(t), **extra)

    def with_properties(self) -> tuple:
        self.expect_word("WITH")
        self.expect_op("(")
        props = self._comma_list(self._property)
        self.expect_op(")")
        return tuple(props)

    def _property(self) -> ast.Property:
        t = self.tok
        if t.kind == STRING:
            name = self.advance().value.upper()
        else:
            name = self.identifier("property name").upper()
        self.expect_op("=")
        return ast.Property(name, self.literal_value(), pos=self.pos(t))

    def _create_type(self, t):
        self.advance()
        if_not_exists = self._if_exists("NOT")
        name = self.identifier("type name")
        self.expect_word("AS")
        return ast.CreateType(name, self.type_(), if_not_exists, pos=self.pos(t))

    # -- catalogue statements ---------------------------------------------------------------
    def _show(self):
        t = self.advance()
        connector = self.connector_form(t, "SHOW")
        if connector is not None:
            return connector
        all_ = self.accept_word("ALL") is not None
        what = self.expect_word("TOPICS") if all_ else self.expect_word(*SHOWABLE)
        extended = what.value in EXTENDABLE and self.accept_word("EXTENDED") is not None
        return ast.Show(what.value, extended, all_, pos=self.pos(t))

    def _describe(self):
        t = self.advance()
        connector = self.connector_form(t, "DESCRIBE") if self.is_word("CONNECTOR") and \
            self.is_identifier(self.peek()) else None
        if connector is not None:
            return connector
        if self.accept_word("FUNCTION"):
            return ast.DescribeFunction(self.identifier("function name"), pos=self.pos(t))
        nxt = self.peek()
        if self.is_word("STREAMS", "TABLES") and (
                nxt.kind == EOF or self.is_word("EXTENDED", t=nxt) or self.is_op(";", t=nxt)):
            what = self.advance().value
            extended = self.accept_word("EXTENDED") is not None
            return ast.Describe(None, extended, what, pos=self.pos(t))
        extended = False
        if self.is_word("EXTENDED") and self.is_identifier(self.peek()):
            self.advance()            # the older DESCRIBE EXTENDED name form
            extended = True
        name = self.identifier("source name")
        extended = self.accept_word("EXTENDED") is not None or extended
        return ast.Describe(name, extended, pos=self.pos(t))

    def _print(self):
        t = self.advance()
        self._note("topic name")
        if self.tok.kind == STRING:
            topic = self.advance().value
        elif self.is_identifier():
            tok = self.advance()
            topic = tok.value if tok.kind != WORD else self.raw(tok)
        else:
            self.fail()
        fields = {}
        if self.accept_word("FROM"):
            self.expect_word("BEGINNING")
            fields["from_beginning"] = True
        if self.accept_word("INTERVAL", "SAMPLE"):
            fields["interval"] = self.integer()
        if self.accept_word("LIMIT"):
            fields["limit"] = self.integer()
        return ast.Print(topic, pos=self.pos(t), **fields)

    def _terminate(self):
        t = self.advance()
        if self.accept_word("ALL"):
            return ast.Terminate(None, pos=self.pos(t))
        return ast.Terminate(self.identifier("query id"), pos=self.pos(t))

    def _drop(self):
        t = self.advance()
        connector = self.connector_form(t, "DROP")
        if connector is not None:
            return connector
        kind = self.expect_word("STREAM", "TABLE", "TYPE").value
        if_exists = self._if_exists()
        name = self.identifier("type name" if kind == "TYPE" else "source name")
        delete = False
        if kind != "TYPE" and self.accept_word("DELETE"):
            self.expect_word("TOPIC")
            delete = True
        return ast.Drop(kind, name, if_exists, delete, pos=self.pos(t))

    def _explain(self):
        t = self.advance()
        nxt = self.tok
        if nxt.kind == WORD and nxt.value in self.STATEMENTS and not (
                self.peek().kind == EOF or self.is_op(";", t=self.peek())):
            inner = self.STATEMENTS[nxt.value](self)
            return ast.Explain(statement=inner, pos=self.pos(t))
        return ast.Explain(query_id=self.identifier("query id or statement"), pos=self.pos(t))

    # -- session statements -----------------------------------------------------------------
    def _quoted(self, what: str = "STRING") -> str:
        self._note(what)
        if self.tok.kind not in (STRING, VARIABLE):
            self.fail()
        return self.advance().value

    def _set(self):
        t = self.advance()
        name = self._quoted()
        self.expect_op("=")
        return ast.SetProperty(name, self._quoted(), pos=self.pos(t))

    def _unset(self):
        t = self.advance()
        return ast.UnsetProperty(self._quoted(), pos=self.pos(t))

    def _variable_name(self) -> str:
        self._note("variable name")
        if self.tok.kind != WORD:
            self.fail()
        return self.raw(self.advance())

    def _define(self):
        t = self.advance()
        name = self._variable_name()
        self.expect_op("=")
        self._note("STRING")
        if self.tok.kind != STRING:
            self.fail()
        return ast.Define(name, self.advance().value, pos=self.pos(t))

    def _undefine(self):
        t = self.advance()
        return ast.Undefine(self._variable_name(), pos=self.pos(t))

    def _alter(self):
        t = self.advance()
        if self.is_word("SYSTEM"):
            return self._alter_system(t)
        kind = self.expect_word("STREAM", "TABLE").value
        name = self.identifier("source name")
        columns = self._comma_list(self._alter_option)
        return ast.AlterSource(kind, name, tuple(columns), pos=self.pos(t))

    def _alter_option(self) -> ast.ColumnDef:
        self.expect_word("ADD")
        self.accept_word("COLUMN")
        t = self.tok
        name = self.identifier("column name")
        return ast.ColumnDef(name, self.type_(), pos=self.pos(t))

    STATEMENTS = {
        "SELECT": _select, "INSERT": _insert, "CREATE": _create, "SHOW": _show,
        "LIST": _show, "DESCRIBE": _describe, "PRINT": _print, "TERMINATE": _terminate,
        "DROP": _drop, "EXPLAIN": _explain, "SET": _set, "UNSET": _unset,
        "DEFINE": _define, "UNDEFINE": _undefine, "ALTER": _alter,
        **ADMIN_STATEMENTS,
    }
