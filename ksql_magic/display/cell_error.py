"""How a failure reaches the notebook: a short exception that fails the cell, the target a
cell runs on, and the hint that turns a bare error into the next step.

Why an exception: Run All (and nbclient) stop at a cell that raises; a red message alone lets
a failed CREATE cascade into every later cell. ``_render_traceback_`` is IPython's hook for
exceptions that render themselves: the cell shows the message and caret, never a Python
traceback (jupysql does the same).
"""

from __future__ import annotations

from ..errors import KsqlError

RED, RESET = "\x1b[31m", "\x1b[0m"


class KsqlCellError(KsqlError):
    """A failed ``%ksql`` / ``%%ksql`` cell; ``error`` is the statement's own KsqlError."""

    def __init__(self, text: str, error: KsqlError | None = None):
        super().__init__(text)
        self.error = error

    def _render_traceback_(self) -> list:
        lines = self.message.splitlines() or [""]
        return [RED + lines[0] + RESET] + lines[1:]


def target_of(engine) -> str:
    """Where a cell's statements run, as the status line and ``connect`` name it:
    ``embedded``, ``kafka://host:port`` or ``flink://gateway + kafka://host:port``."""
    if engine is None:
        return "embedded"
    broker = getattr(engine, "broker", None)
    broker = getattr(broker, "inner", broker)          # Flink wraps the Kafka broker
    bootstrap = getattr(broker, "bootstrap_servers", None)
    where = "kafka://%s" % bootstrap if bootstrap else "embedded"
    flink = getattr(engine, "flink", None)
    gateway = getattr(getattr(flink, "backend", None), "gateway_url", None)
    if gateway:
        return "flink://%s + %s" % (str(gateway).split("://", 1)[-1], where)
    return where


def owner_of(engine, name: str):
    """The id of the running persistent query that writes ``name`` (None when none does)."""
    sources = getattr(getattr(engine, "catalog", None), "sources", {}) or {}
    source = sources.get(name) or sources.get(str(name).upper())
    query_id = getattr(source, "query_id", None)
    return query_id or None


def explain_error(engine, text: str, error: KsqlError) -> str:
    """The next step for an error a notebook user hits by re-running a cell: a
    ``CREATE ... AS`` whose name exists says which query owns it and how to go on."""
    if "already exists" not in error.message:
        return ""
    from .statement_info import parse
    tree = parse(text)
    if type(tree).__name__ != "CreateAsSelect":
        return ""
    name, kind = tree.name, getattr(tree, "kind", "TABLE")
    owner = owner_of(engine, name)
    lines = []
    if owner:
        lines.append("%s is written by the running query %s." % (name, owner))
    lines.append("To replace it: CREATE OR REPLACE %s %s AS SELECT ...;" % (kind, name))
    lines.append("To start over: DROP %s %s;%s then run this cell again." % (
        kind, name, " (terminates %s)" % owner if owner else ""))
    lines.append("To see it live again: %%ksql watch %s" % name)
    return "\n".join(lines)
