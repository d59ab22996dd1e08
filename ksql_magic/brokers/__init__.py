"""Brokers: the embedded in-memory broker (``memory.py``) and real Kafka through one of two
client libraries. ``connect`` is the one way to open a real-Kafka broker."""

from __future__ import annotations

from typing import Optional

from .base import BrokerError

DEFAULT_CLIENT = "kafka-python"


def connect(bootstrap_servers: str, client: Optional[str] = None, **client_config):
    """The broker for a Kafka cluster through the chosen client library: "kafka-python" (or
    "kafka", the default when ``client`` is None) or "confluent" ("confluent-kafka").
    An unknown name or a library that is not installed is a BrokerError."""
    return _client_factory(client or DEFAULT_CLIENT)(bootstrap_servers, **client_config)


def _client_factory(client: str):
    factories = {"kafka-python": _kafka_python, "kafka": _kafka_python,
                 "confluent": _confluent, "confluent-kafka": _confluent}
    if client not in factories:
        raise BrokerError(f"unknown Kafka client {client!r}: expected one of "
                          f"{', '.join(sorted(factories))}")
    try:
        return factories[client]()
    except ImportError as e:
        raise BrokerError(f"Kafka client {client!r} is not installed ({e})") from None


# Imported on demand, not for a cycle: confluent.py imports confluent-kafka at its top, and
# neither client library is needed by a user of the embedded broker.
def _kafka_python():
    from .kafka import KafkaBroker
    return KafkaBroker


def _confluent():
    from .confluent import ConfluentBroker
    return ConfluentBroker
