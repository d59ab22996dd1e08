"""What one statement's result shows in a cell, chosen by the result's kind.

``ResultView`` wraps an engine ``Result``: messages show one line, tables (SHOW, DESCRIBE,
EXPLAIN, pull queries) a bounded HTML table, and push / persistent queries and PRINT a
``LiveView``. It forwards every other attribute to the result (``.rows``, ``.to_pandas()``,
``.handle``...), and adds ``wait``/``stop``/``status`` for live ones. ``ErrorView`` shows a
``KsqlError`` as a short message with a caret, never a traceback.
"""

from __future__ import annotations

import time

from .. import rendering as fmt
from .live import LiveView

LIVE_KINDS = frozenset({"push", "persistent", "print"})


class ResultView:
    def __init__(self, result, options, session=None):
        self.result, self.options, self.session = result, options, session
        self.live: LiveView | None = None

    def __getattr__(self, name):
        # Only called for attributes ResultView lacks: the engine's Result answers.
        if name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)

    @property
    def is_live(self) -> bool:
        return self.result.kind in LIVE_KINDS and getattr(self.result, "handle", None) is not None

    def _ensure_live(self) -> LiveView:
        if self.live is None:
            on_close = self.session.forget if self.session is not None else None
            self.live = LiveView(self.result.handle, self.options, on_close).start()
            if self.session is not None:
                self.session.track(self.live)
        return self.live

    # -- rendering -----------------------------------------------------------------------
    def message_html(self) -> str:
        text = getattr(self.result, "message", "")
        return fmt.message(text, self.options.displaylimit) if text else ""

    def _repr_html_(self) -> str:
        if self.result.kind == "table":
            return self.message_html() + fmt.rows_table(
                self.result.columns, self.result.rows, self.options.displaylimit)
        return self.message_html()

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display
        if self.is_live:
            if self.result.message:
                display(HTML(self.message_html()))
            display(self._ensure_live().widget)
            return
        display(HTML(self._repr_html_()))

    def __repr__(self) -> str:
        return "<%s %s%s>" % (self.result.kind, self.result.query_id or "",
                              (" " + self.result.message) if self.result.message else "")

    def to_pandas(self):
        """A snapshot of the rows so far (live) or the result's rows."""
        if self.result.handle is not None:
            return self.result.handle.to_pandas()
        return self.result.to_pandas()

    # -- live controls -------------------------------------------------------------------
    def wait(self, rows: int | None = None, timeout: float | None = None,
             until=None) -> "ResultView":
        """Wait for ``rows`` rows, or until ``until(dataframe)`` is true, or the query ends, or
        ``timeout`` seconds; then refresh the view once (a notebook run headless records
        widget state only while a cell runs)."""
        if until is None:
            self.result.handle.wait(rows=rows, timeout=timeout)
        else:
            deadline = time.monotonic() + (60.0 if timeout is None else timeout)
            while not until(self.to_pandas()) and time.monotonic() < deadline:
                time.sleep(0.1)
        if self.live is not None:
            self.live.flush()
        return self

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
        elif self.result.handle is not None:
            self.result.handle.stop()

    def status(self) -> dict:
        """The query's counters; once shown, with what the status line adds (where it
        runs, how far behind the input end, the current rate)."""
        if self.live is not None:
            return self.live._status(fresh=True)
        return self.result.handle.status()


class ErrorView:
    """A user's mistake: ``line L:C: message`` and the offending line with a caret."""

    def __init__(self, error, line_offset: int = 0, column_offset: int = 0, hint: str = ""):
        self.error = error
        self.line_offset, self.column_offset = line_offset, column_offset
        self.hint = hint            # the next step (explain_error), shown under the caret

    @property
    def header(self) -> str:
        e = self.error
        if e.line is None or e.column is None:
            return e.message
        column = e.column + (self.column_offset if e.line == 1 else 0)
        return "line %d:%d: %s" % (e.line + self.line_offset, column, e.message)

    def text(self) -> str:
        caret = self.error.caret()
        return self.header + ("\n" + caret if caret else "") + ("\n" + self.hint if self.hint else "")

    def _repr_html_(self) -> str:
        caret = self.error.caret()
        return fmt.error(self.header, caret + ("\n" if caret and self.hint else "") + self.hint)

    def __repr__(self) -> str:
        return self.text()
