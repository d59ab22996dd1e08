"""Live Altair charts: which chart a query's shape asks for, and a cheap way to update it.

Shape rules (``plan_chart``): a windowed aggregate gets WINDOWSTART on x, its first value
column on y, its key as colour, and the HAVING threshold as a rule; a non-windowed table gets
bars per key; a plain stream gets no chart unless ``--chart`` asks. Updates (``LiveChart``)
validate the spec once through Altair, then assign edited copies of ``JupyterChart.spec``
(assigning ``.chart`` re-validates everything: far too slow a few times a second). The
JupyterChart runs offline (vl-convert's bundle): nothing is fetched from a CDN.
"""

from __future__ import annotations

import decimal
import threading
from dataclasses import dataclass

from ..rendering import TIME_COLUMNS

WINDOW_COLUMNS = ("WINDOWSTART", "WINDOWEND")
MARKS = {"line": lambda c: c.mark_line(point=True), "bar": lambda c: c.mark_bar(),
         "area": lambda c: c.mark_area(opacity=0.6), "point": lambda c: c.mark_point()}
_offline = []
_offline_lock = threading.Lock()


@dataclass(frozen=True)
class ChartPlan:
    kind: str
    x: str
    x_type: str
    y: str
    color: str | None = None
    threshold: float | None = None
    keys: int = 10                  # colours drawn at most (top keys by latest y)
    names: tuple = ()               # generated column name -> its expression

    def title(self, column: str) -> str:
        """An axis title: the query's alias, or for a made-up KSQL_COL_n the expression
        it stands for."""
        return dict(self.names).get(column, column)

    @property
    def fields(self) -> tuple:
        return tuple(f for f in (self.x, self.y, self.color) if f)


def find_column(columns: list, name: str | None) -> str | None:
    """Match a user's column name case-insensitively (``--x windowstart``)."""
    if not name:
        return None
    for c in columns:
        if c.upper() == name.upper():
            return c
    raise ValueError("no column %r in the result; columns are: %s" % (name, ", ".join(columns)))


def plan_chart(handle, options) -> ChartPlan | None:
    """The chart for a live result, or None when there should be none."""
    kind = options.chart
    columns = list(handle.columns)
    keys = [k for k in handle.key_columns if k.upper() not in WINDOW_COLUMNS]
    if not keys and handle.is_table:     # a watch may not name its key: take the first column
        keys = [c for c in columns if c.upper() not in WINDOW_COLUMNS][:1]
    values = [c for c in columns if c not in keys and c.upper() not in WINDOW_COLUMNS
              and c.upper() != "ROWTIME"]
    if kind == "none" or not values:
        return None
    windowed = handle.windowed and any(c.upper() == "WINDOWSTART" for c in columns)
    if kind == "auto":
        if not handle.is_table:
            return None
        kind = "line" if windowed else "bar"
    default_x = (find_column(columns, "WINDOWSTART") if windowed
                 else keys[0] if handle.is_table and keys
                 else next((c for c in columns if c.upper() == "ROWTIME"), columns[0]))
    x = find_column(columns, options.x) or default_x
    y = find_column(columns, options.y) or values[0]
    color = find_column(columns, options.color) or (keys[0] if keys and keys[0] != x else None)
    return ChartPlan(kind, x, x_type(x, keys), y, color, options.threshold,
                     max(1, int(getattr(options, "chart_keys", 10) or 10)),
                     tuple(getattr(options, "names", ()) or ()))


def x_type(column: str, keys: list) -> str:
    if column.upper() in TIME_COLUMNS:
        return "temporal"
    return "nominal" if column in keys else "quantitative"


def field_name(column: str) -> str:
    """Vega-Lite reads '.' and '[' in a field as nesting; escape them."""
    return column.replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def build_chart(plan: ChartPlan, width: int = 520, height: int = 220):
    """The Altair chart for a plan, with empty inline data (filled by ``LiveChart.update``)."""
    import altair as alt
    x_kwargs = {"scale": alt.Scale(type="utc"), "axis": alt.Axis(**time_axis([]))} \
        if plan.x_type == "temporal" else {}
    encoding = {"x": alt.X(field=field_name(plan.x), type=plan.x_type, title=plan.title(plan.x),
                           **x_kwargs),
                "y": alt.Y(field=field_name(plan.y), type="quantitative", title=plan.title(plan.y))}
    if plan.color:
        encoding["color"] = alt.Color(field=field_name(plan.color), type="nominal",
                                      title=plan.title(plan.color))
    layers = [MARKS[plan.kind](alt.Chart()).encode(**encoding)]
    if plan.threshold is not None:
        rule = alt.Chart(alt.Data(values=[{"threshold": plan.threshold}])).mark_rule(
            color="#d62728", strokeDash=[6, 4]).encode(y=alt.Y("threshold:Q"))
        layers.append(rule)
    return alt.layer(*layers, data=alt.Data(values=[])).properties(width=width, height=height)


SECOND, MINUTE, HOUR, DAY = 1000, 60_000, 3_600_000, 86_400_000


def time_axis(times: list, window_ms: int | None = None) -> dict:
    """Axis settings for epoch-ms times: labels as fine as the data needs (dates for daily
    windows or a span of days, minutes for minute windows or an hour's span, seconds
    below), and no tick finer than one window. The old fixed ``%H:%M:%S`` labelled every
    tick of daily windows ``00:00:00``."""
    span = (max(times) - min(times)) if times else 0
    step = max(window_ms or 0, 0)
    if step >= DAY or span >= 3 * DAY:
        fmt = "%Y-%m-%d"
    elif span >= DAY:
        fmt = "%m-%d %H:%M"
    elif step >= MINUTE or span >= HOUR:
        fmt = "%H:%M"
    else:
        fmt = "%H:%M:%S"
    axis = {"format": fmt, "labelOverlap": True}
    if step:
        axis["tickMinStep"] = step
    return axis


def enable_offline() -> None:
    """Once per process: JupyterChart loads Vega from vl-convert's bundle, not a CDN."""
    with _offline_lock:
        if not _offline:
            import altair as alt
            alt.JupyterChart.enable_offline()
            _offline.append(True)


def warm_up() -> threading.Thread:
    """Import Altair and load the offline bundle in the background (seconds on a cold
    machine), so the first live chart appears without that wait. The thread ends by itself."""
    thread = threading.Thread(target=enable_offline, name="ksql-chart-warmup", daemon=True)
    thread.start()
    return thread


def _order(value):
    """A sort key for mixed or missing values (None first, numbers by value)."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return (1, float(value))
    return (2, str(value))


def json_value(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class LiveChart:
    """One JupyterChart per query, its data replaced a few times a second at most."""

    def __init__(self, plan: ChartPlan, columns: list, points: int):
        import altair as alt
        enable_offline()
        self.plan, self.points = plan, points
        self.index = [columns.index(f) for f in plan.fields]
        upper = [c.upper() for c in columns]
        self.window = (upper.index("WINDOWSTART"), upper.index("WINDOWEND")) \
            if plan.x_type == "temporal" and {"WINDOWSTART", "WINDOWEND"} <= set(upper) else None
        self.widget = alt.JupyterChart(build_chart(plan))
        self.widget.add_class("ksql-live-chart")
        self.base_spec = dict(self.widget.spec)
        self.updates = 0

    def data(self, rows: list) -> list:
        return [{f: json_value(row[i]) for f, i in zip(self.plan.fields, self.index)}
                for row in rows[-self.points:]]

    def top_keys(self, rows: list) -> tuple:
        """(rows of the ``plan.keys`` keys with the highest latest value, how many keys
        are left out): 287 cards make a legend nobody can read."""
        if not self.plan.color:
            return rows, 0
        x, y, c = (self.index[self.plan.fields.index(f)] for f in
                   (self.plan.x, self.plan.y, self.plan.color))
        latest: dict = {}
        for row in rows:
            seen = latest.get(row[c])
            if seen is None or _order(row[x]) >= _order(seen[0]):
                latest[row[c]] = (row[x], row[y])
        if len(latest) <= self.plan.keys:
            return rows, 0
        ranked = sorted(latest, key=lambda k: _order(latest[k][1]), reverse=True)
        keep = set(ranked[:self.plan.keys])
        return [row for row in rows if row[c] in keep], len(latest) - len(keep)

    def caption(self, hidden: int) -> str:
        parts = []
        if hidden:
            parts.append("top %d %s by latest %s; %d more hidden (%%config KsqlMagic.chart_keys)"
                         % (self.plan.keys, self.plan.color, self.plan.title(self.plan.y), hidden))
        for name, expr in self.plan.names:
            if name in self.plan.fields:
                parts.append("%s is %s: name it with %s AS name" % (name, expr, expr))
        return "; ".join(parts)

    def update(self, rows: list) -> None:
        spec = dict(self.base_spec)
        rows, hidden = self.top_keys(rows)
        values = self.data(rows)
        spec["data"] = {"values": values}
        caption = self.caption(hidden)
        if caption:
            spec["title"] = {"text": caption, "fontSize": 11, "fontWeight": "normal",
                             "anchor": "start", "color": "#666"}
        if self.plan.x_type == "temporal":
            spec["layer"] = self._with_axis(spec["layer"], values, rows[-self.points:])
        self.widget.spec = spec
        self.updates += 1

    def _with_axis(self, layers: list, values: list, rows: list) -> list:
        """The layers with the x axis fitted to the data's span and window size."""
        times = [v[self.plan.x] for v in values if isinstance(v.get(self.plan.x), int)]
        window = None
        if self.window is not None and rows:
            start, end = self.window
            window = next((r[end] - r[start] for r in rows
                           if isinstance(r[start], int) and isinstance(r[end], int)), None)
        first = dict(layers[0])
        encoding = dict(first.get("encoding", {}))
        x = dict(encoding.get("x", {}))
        x["axis"] = dict(x.get("axis") or {}, **time_axis(times, window))
        encoding["x"], first["encoding"] = x, encoding
        return [first] + list(layers[1:])
