"""The status line of a running query: id, state, records in/out, rate, stream time, late
records dropped and deserialization errors, from ``QueryHandle.status()``."""

from __future__ import annotations

import html

from .html import format_time

STATE_COLOURS = {"RUNNING": "#1a7f37", "STOPPED": "#666", "DONE": "#0550ae", "ERROR": "#b00020"}


def status_text(status: dict) -> str:
    """One line of plain text (also what the HTML shows)."""
    stream_time = status.get("stream_time")
    parts = [
        str(status.get("query_id") or "?"), str(status.get("state", "?")),
        "in %s" % format(int(status.get("records_in") or 0), ","),
        "out %s" % format(int(status.get("records_out") or 0), ","),
        "%.1f rec/s" % float(status.get("rate") or 0.0),
        "stream time %s" % (format_time(stream_time) if stream_time is not None else "-"),
        "late dropped %d" % int(status.get("late_dropped") or 0),
        "deser errors %d" % int(status.get("deser_errors") or 0),
    ]
    if status.get("error"):
        parts.append("error: %s" % status["error"])
    return " · ".join(parts)


def status_html(status: dict) -> str:
    state = str(status.get("state", "?"))
    colour = STATE_COLOURS.get(state, "#333")
    return ("<div class='ksql-status' data-state='%s' style='font-family:monospace;"
            "font-size:12px;color:%s'>%s</div>" % (html.escape(state), colour,
                                                   html.escape(status_text(status))))
