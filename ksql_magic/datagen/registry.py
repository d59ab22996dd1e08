"""The table of demo domains and ``generate``: one domain name -> its events, deterministic.

Adding a domain is one entry in ``DOMAINS`` (plus its generator and DDL).
"""

from __future__ import annotations

import random

from . import ddl, domains
from .core import DEFAULT_START_MS, Clock, Domain, disorder, order_events, tables_first

DOMAINS: dict[str, Domain] = {d.name: d for d in (
    Domain("clickstream", "page views, with a users table (1 in 4 Platinum)",
           domains.make_clickstream, ddl.CLICKSTREAM, ("clickstream", "users"),
           {"clickstream": "view_time"}, ("users",)),
    Domain("payments", "payments, with a users table (some payments by unknown users)",
           domains.make_payments, ddl.PAYMENTS, ("payments", "users"),
           {"payments": "pay_time"}, ("users",)),
    Domain("authorization_attempts", "card authorizations with planted fraud bursts",
           domains.make_authorization_attempts, ddl.AUTHORIZATION_ATTEMPTS,
           ("authorization_attempts",), {"authorization_attempts": "attempt_time"}),
    Domain("vehicle_monitoring", "vehicle telemetry; a few vehicles fail (ERROR bursts)",
           domains.make_vehicle_monitoring, ddl.VEHICLE_MONITORING, ("vehicle_monitoring",),
           {"vehicle_monitoring": "reading_time"}, spacing_ms=500.0),
    Domain("orders", "orders and shipments; some ship late (> 2 h), some never",
           domains.make_orders, ddl.ORDERS, ("orders", "shipments"),
           {"orders": "order_time", "shipments": "ship_time"}, spacing_ms=60_000.0),
    Domain("sales", "online and offline sales of 10 items over several days",
           domains.make_sales, ddl.SALES, ("sales_online", "sales_offline"),
           spacing_ms=30 * 60_000.0),
    Domain("health_sensor", "patient sensor readings with rare anomalies",
           domains.make_health_sensor, ddl.HEALTH_SENSOR, ("health_sensor",),
           {"health_sensor": "reading_time"}),
)}

ALIASES = {"users": "clickstream", "shipments": "orders", "sales_online": "sales",
           "sales_offline": "sales", "vehicles": "vehicle_monitoring",
           "fraud": "authorization_attempts"}


def domain(name: str) -> Domain:
    """Look a domain up by name or alias; a clear error lists the valid names."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in DOMAINS:
        raise ValueError("unknown datagen domain %r; choose one of: %s"
                         % (name, ", ".join(sorted(DOMAINS))))
    return DOMAINS[key]


def ddl_text(name: str) -> str:
    """The domain's CREATE statements, ready for ``%%ksql`` or ``Engine.execute``."""
    return "\n".join(domain(name).ddl)


def generate(name: str, n: int = 100, seed: int = 0, start: int | None = None,
             spacing_ms: float | None = None, out_of_order_fraction: float = 0.0,
             late_fraction: float = 0.0, base: int = 0, include_tables: bool = True) -> list:
    """``n`` primary events of a domain (plus its reference-table rows), in emission order.

    Same arguments, same events. ``start`` is the event time of the first event (ms since the
    epoch; default 2026-01-01T00:00Z); events are ``spacing_ms`` apart (domain default).
    """
    d = domain(name)
    clock = Clock(DEFAULT_START_MS if start is None else int(start),
                  d.spacing_ms if spacing_ms is None else float(spacing_ms), base)
    rng = random.Random(seed * 1_000_003 + base)
    events = tables_first(order_events(d.make(rng, int(n), clock)), clock.start, d)
    if not include_tables:
        events = [e for e in events if e["topic"] not in d.tables]
    return disorder(events, rng, d, out_of_order_fraction, late_fraction)
