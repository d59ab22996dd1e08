"""Shared pytest configuration: markers only (fixtures live beside the tests that use them)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kafka: needs a real Kafka-protocol broker (Tansu, started by tests/kafka_support.py)")
    config.addinivalue_line("markers", "flink: needs Java and a Flink cluster (started by tests/test_flink_cluster.py)")
