"""Statements a notebook user meets in ksqlDB's documentation beyond DDL and queries:
PAUSE / RESUME, ALTER SYSTEM, RUN SCRIPT, ASSERT TOPIC / SCHEMA, and the connector
statements (parsed whole, so that the executor can refuse them with one clear message
instead of a syntax error).

A mixin of ``StatementParser``: the first-word table there maps PAUSE, RESUME, RUN and
ASSERT here; CREATE / DROP / SHOW / DESCRIBE / ALTER hand over when they see their
connector or SYSTEM forms.
"""

from __future__ import annotations

from . import ast
from .lexer import EOF, STRING, WORD
from .parser_expr import TIME_UNITS, UNIT_MS


class AdminStatementParser:
    """Parser methods for the administrative statements (mixed into StatementParser)."""

    def _pause_resume(self):
        t = self.advance()
        if self.accept_word("ALL"):
            return ast.PauseResume(t.value, None, pos=self.pos(t))
        return ast.PauseResume(t.value, self.identifier("query id"), pos=self.pos(t))

    def _run_script(self):
        t = self.advance()
        self.expect_word("SCRIPT")
        return ast.RunScript(self._quoted(), pos=self.pos(t))

    def _alter_system(self, t):
        """ALTER SYSTEM 'name'='value' (the caller consumed ALTER)."""
        self.expect_word("SYSTEM")
        name = self._quoted()
        self.expect_op("=")
        return ast.AlterSystem(name, self._quoted(), pos=self.pos(t))

    # -- ASSERT -----------------------------------------------------------------------------
    def _assert(self):
        t = self.advance()
        exists = True
        if self.accept_word("NOT"):
            self.expect_word("EXISTS")
            exists = False
        what = self.expect_word("TOPIC", "SCHEMA").value
        if what == "TOPIC":
            topic = self._resource_name("topic name")
            props = self.with_properties() if self.is_word("WITH") else ()
            return ast.AssertTopic(topic, exists, props, self._timeout(), pos=self.pos(t))
        subject = schema_id = None
        if self.accept_word("SUBJECT"):
            subject = self._resource_name("subject name")
        if self.accept_word("ID"):
            schema_id = self.integer()
        if subject is None and schema_id is None:
            self.error("ASSERT SCHEMA statements much include a subject name or an id")
        return ast.AssertSchema(subject, schema_id, exists, self._timeout(), pos=self.pos(t))

    def _resource_name(self, what: str) -> str:
        """A topic or subject: a quoted string as written, or an identifier (as typed)."""
        if self.tok.kind == STRING:
            return self.advance().value
        tok = self.identifier_token(what)
        return tok.value if tok.kind != WORD else self.raw(tok)

    def _timeout(self):
        if not self.accept_word("TIMEOUT"):
            return None
        n = self.integer()
        unit = self.expect_word(*TIME_UNITS).value
        return n * UNIT_MS[TIME_UNITS[unit]]

    # -- connectors -------------------------------------------------------------------------
    def _connector_statement(self, t, form: str):
        """Consume the rest of a connector statement; its form names it in the refusal."""
        while self.tok.kind != EOF and not (self.is_op(";") and self.peek().kind == EOF):
            self.advance()
        return ast.ConnectorStatement(form, pos=self.pos(t))

    def connector_form(self, t, verb: str):
        """After CREATE / DROP / SHOW|LIST / DESCRIBE: the connector statement starting here,
        or None if this is not one (the caller goes on with its own forms)."""
        words = []
        if verb == "CREATE" and self.is_word("SOURCE", "SINK") and self.is_word(
                "CONNECTOR", t=self.peek()):
            words.append(self.advance().value)
        if verb == "SHOW" and self.is_word("SOURCE", "SINK") and self.is_word(
                "CONNECTORS", t=self.peek()):
            words.append(self.advance().value)
        if not self.is_word("CONNECTOR", "CONNECTORS"):
            return None
        words.append(self.advance().value)
        if verb == "SHOW" and words[-1] == "CONNECTOR":
            words.append(self.expect_word("PLUGINS").value)
        return self._connector_statement(t, " ".join([verb] + words))


ADMIN_STATEMENTS = {
    "PAUSE": AdminStatementParser._pause_resume,
    "RESUME": AdminStatementParser._pause_resume,
    "RUN": AdminStatementParser._run_script,
    "ASSERT": AdminStatementParser._assert,
}
