"""Run persistent queries on Apache Flink through its SQL Gateway (see docs/flink.md)."""

from .backend import FlinkBackend
from .translate import FlinkPlan, FlinkSource, translate

__all__ = ["FlinkBackend", "FlinkPlan", "FlinkSource", "translate"]
