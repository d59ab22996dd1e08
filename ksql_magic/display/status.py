"""The status line of a running query: id, state, where it runs, records in/out, how far
behind the end of its input it is, current rate, stream time, late records dropped and
errors, from ``QueryHandle.status()`` enriched by ``progress.Progress``. A query falling
behind gets a visible warning; one that reads nothing because it started at the end of its
input gets the line that fixes it."""

from __future__ import annotations

import html

from ..rendering import format_time

STATE_COLOURS = {"RUNNING": "#1a7f37", "STOPPED": "#666", "DONE": "#0550ae", "ERROR": "#b00020"}
WARN_COLOUR = "#b35900"


def _count(status: dict, name: str) -> str:
    return format(int(status.get(name) or 0), ",")


def behind_text(status: dict) -> str | None:
    """``behind 1,200 rec (3.4 s)``, or None when the backlog is not known."""
    if status.get("behind_records") is None:
        return None
    text = "behind %s rec" % _count(status, "behind_records")
    if status.get("behind_seconds") is not None:
        text += " (%.1f s)" % float(status["behind_seconds"])
    return text


def status_text(status: dict) -> str:
    """One line of plain text (also what the HTML shows)."""
    stream_time = status.get("stream_time")
    errors = int(status.get("deser_errors") or 0) + int(status.get("processing_errors") or 0)
    parts = [str(status.get("query_id") or "?"), str(status.get("state", "?"))]
    if status.get("target"):
        parts.append("on %s" % status["target"])
    parts += ["in %s" % _count(status, "records_in"), "out %s" % _count(status, "records_out")]
    behind = behind_text(status)
    if behind:
        parts.append(behind)
    parts += [
        "%.1f rec/s" % float(status.get("rate") or 0.0),
        "stream time %s" % (format_time(stream_time) if stream_time is not None else "-"),
        "late dropped %s" % _count(status, "late_dropped"),
        "errors %d" % errors,
    ]
    if status.get("falling_behind") and status.get("state") == "RUNNING":
        parts.append("⚠ falling behind")
    if status.get("error"):
        parts.append("error: %s" % status["error"])
    return " · ".join(parts)


def status_html(status: dict) -> str:
    state = str(status.get("state", "?"))
    colour = STATE_COLOURS.get(state, "#333")
    warn = bool(status.get("falling_behind")) and state == "RUNNING"
    line = ("<div class='ksql-status' data-state='%s' data-behind='%s' style='font-family:"
            "monospace;font-size:12px;color:%s'>%s</div>" % (
                html.escape(state), "yes" if warn else "no", WARN_COLOUR if warn else colour,
                html.escape(status_text(status))))
    if status.get("hint"):
        line += ("<div class='ksql-hint' style='font-size:12px;color:%s'>%s</div>"
                 % (WARN_COLOUR, html.escape(status["hint"])))
    return line
