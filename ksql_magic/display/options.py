"""The display settings a view needs, as one frozen value (the magic fills it from traitlets).

Why not read the traitlets directly: display code runs in flusher threads and in tests
without IPython; a plain value passed in keeps it independent of the shell.
"""

from __future__ import annotations

from dataclasses import dataclass

CHART_KINDS = ("auto", "none", "line", "bar", "area", "point")


@dataclass(frozen=True)
class DisplayOptions:
    displaylimit: int = 20          # rows shown in a table (static or live)
    refresh_rate: float = 4.0       # live updates per second, per view (IOPub budget)
    max_rows: int = 10_000          # rows a live view keeps (streams: newest; tables: by key)
    chart: str = "auto"             # auto | none | line | bar | area | point
    chart_points: int = 500         # rows a live chart keeps
    x: str | None = None            # chart overrides
    y: str | None = None
    color: str | None = None
    threshold: float | None = None  # HAVING threshold drawn as a rule
    target: str | None = None       # where the query runs (embedded, kafka://...), for the status
    chart_keys: int = 10            # a chart draws this many keys (top by latest value)
    names: tuple = ()               # (("KSQL_COL_0", "COUNT(*)"), ...) for axis titles

    @property
    def interval(self) -> float:
        """Seconds between two flushes."""
        return 1.0 / max(0.1, float(self.refresh_rate))
