"""ksql_magic.brokers.connect is the one factory for real-Kafka brokers (engine included)."""
import socket

import pytest

from ksql_magic.brokers import connect
from ksql_magic.brokers.base import BrokerError
from ksql_magic.engine import Engine
from ksql_magic.errors import KsqlRuntimeError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unknown_client_name_lists_the_known_ones():
    with pytest.raises(BrokerError, match="unknown Kafka client 'kafak'.*confluent-kafka"):
        connect("127.0.0.1:9", client="kafak")


def test_no_client_name_means_kafka_python_and_fails_fast_when_nothing_listens():
    address = "127.0.0.1:%d" % _closed_port()
    with pytest.raises(BrokerError, match=f"broker {address} unreachable"):
        connect(address, None, timeout=1.0)


def test_engine_reports_a_misspelt_client_as_a_runtime_error():
    with pytest.raises(KsqlRuntimeError, match="unknown Kafka client 'kafak'"):
        Engine(bootstrap_servers="127.0.0.1:9", client="kafak")
