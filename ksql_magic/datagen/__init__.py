"""Demo data for the seed's domains: deterministic, rate-controlled, optionally disordered.

Python use::

    from ksql_magic import datagen
    events = datagen.generate("authorization_attempts", n=1000, seed=7)   # list of event dicts
    datagen.produce(engine, "authorization_attempts", n=1000, seed=7)     # into engine topics
    run = datagen.start(engine, "vehicle_monitoring", rate=100)           # live, background
    engine.execute(datagen.ddl("authorization_attempts"))                 # CREATE STREAM ...

Each event is ``{"topic", "key", "value", "timestamp", "tag"}``; ``tag`` marks what was
planted (``fraud_burst``, ``failing``, ``late_shipment``, ``missing_shipment``, ``anomaly``,
``late``, ``out_of_order``) and is never produced.
"""

from .core import DEFAULT_START_MS, Domain
from .producer import DatagenRun, encode, produce, start
from .registry import DOMAINS, domain, generate
from .registry import ddl_text as ddl

__all__ = ["DEFAULT_START_MS", "DOMAINS", "DatagenRun", "Domain", "ddl", "domain", "encode",
           "generate", "produce", "start", "domains"]


def domains() -> list:
    """The names of the built-in domains."""
    return sorted(DOMAINS)
