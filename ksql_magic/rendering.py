"""HTML for rows, messages and errors: small, escaped, bounded. It sits below ``display``
(standard library only) because a plain ``Result`` renders its table with it too.

Why hand-written HTML instead of ``DataFrame.to_html``: a live table is re-rendered a few
times a second from a flusher thread; building a bounded table of strings costs well under
a millisecond and needs no pandas.
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
import json

TIME_COLUMNS = frozenset({"WINDOWSTART", "WINDOWEND", "ROWTIME"})

# One look for every table (SHOW / DESCRIBE / pull results in output cells, live tables in
# widgets): text left, numbers right. JupyterLab right-aligns every cell of rendered HTML
# output with a more specific rule (":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td"),
# which widgets do not get; the doubled class and !important win over it in both places.
STYLE = ("<style>table.ksql-rows.ksql-rows{border-collapse:collapse;font-size:12px}"
         "table.ksql-rows.ksql-rows th,table.ksql-rows.ksql-rows td{border:1px solid #ddd"
         " !important;padding:2px 6px !important;text-align:left !important}"
         "table.ksql-rows.ksql-rows td.ksql-num{text-align:right !important}"
         "table.ksql-rows.ksql-rows th{background:#f3f3f3}"
         ".ksql-note{color:#666;font-size:11px}</style>")


def format_time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def format_value(column: str, value) -> str:
    """Text for one cell: NULL for None, UTC time for window bounds and ROWTIME, JSON for
    nested values."""
    if value is None:
        return "NULL"
    if column.upper() in TIME_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return format_time(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def cell(column: str, value) -> str:
    """One ``<td>``; numbers (not times, not booleans) carry ``ksql-num`` to sit right."""
    text = html.escape(format_value(column, value))
    number = isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool) \
        and column.upper() not in TIME_COLUMNS
    return "<td class='ksql-num'>%s</td>" % text if number else "<td>%s</td>" % text


def rows_table(columns: list, rows: list, limit: int, total: int | None = None,
               newest_last: bool = False) -> str:
    """An HTML table of at most ``limit`` rows (the last ones when ``newest_last``), with a
    note saying how many were left out."""
    total = len(rows) if total is None else total
    shown = rows[-limit:] if newest_last else rows[:limit]
    head = "".join("<th>%s</th>" % html.escape(str(c)) for c in columns)
    body = "".join("<tr>%s</tr>" % "".join(cell(c, v) for c, v in zip(columns, row))
                   for row in shown)
    note = ""
    if total > len(shown):
        where = "newest" if newest_last else "first"
        note = "<div class='ksql-note'>%d rows, %s %d shown</div>" % (total, where, len(shown))
    return "%s<table class='ksql-rows'><thead><tr>%s</tr></thead><tbody>%s</tbody></table>%s" % (
        STYLE, head, body, note)


def message(text: str, limit: int = 1000) -> str:
    """One confirmation line; a multi-line message (a finished PRINT) as a bounded block."""
    if "\n" not in text:
        return "<div class='ksql-message'>%s</div>" % html.escape(text)
    lines = text.splitlines()
    note = ("<div class='ksql-note'>%d lines, first %d shown</div>" % (len(lines), limit)
            if len(lines) > limit else "")
    return "<pre class='ksql-message'>%s</pre>%s" % (html.escape("\n".join(lines[:limit])), note)


def error(header: str, caret: str) -> str:
    pre = html.escape(header + ("\n" + caret if caret else ""))
    return ("<pre class='ksql-error' style='color:#b00020;background:#fff5f5;padding:4px 8px;"
            "margin:0'>%s</pre>" % pre)
