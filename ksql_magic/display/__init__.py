"""How results look in a notebook: static tables, live tables and charts, errors.

Imports only the engine's public result/handle API (duck-typed): no engine internals.
"""

from .live import LiveView
from .options import CHART_KINDS, DisplayOptions
from .session import Session
from .views import ErrorView, ResultView

__all__ = ["CHART_KINDS", "DisplayOptions", "ErrorView", "LiveView", "ResultView", "Session"]
