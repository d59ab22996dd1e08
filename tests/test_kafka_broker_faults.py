"""The real-Kafka broker when the broker is wrong or goes away: fail fast, clear reasons,
and the same object working again once the connection is restored."""

import time

import pytest

from ksql_magic.brokers.base import BrokerError
from ksql_magic.brokers import connect
from kafka_support import *  # noqa: F401,F403  (fixtures)

pytestmark = [pytest.mark.kafka, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def proxied(proxy, client):
    b = connect(proxy.address, client=client, timeout=3.0)
    yield b
    b.close()


def test_wrong_bootstrap_address_fails_fast(client):
    address = f"127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(BrokerError, match=f"broker {address} unreachable"):
        connect(address, client=client, timeout=3.0)
    assert time.monotonic() - start < 5


def test_unresolvable_host_fails_fast(client):
    start = time.monotonic()
    with pytest.raises(BrokerError, match="unreachable"):
        connect("no-such-host.invalid:9092", client=client, timeout=3.0)
    assert time.monotonic() - start < 5


def test_unknown_client_is_refused(tansu):
    with pytest.raises(BrokerError, match="unknown Kafka client"):
        connect(tansu, client="nope")


def test_repr_hides_secrets(tansu, client):
    b = connect(tansu, client=client, timeout=3.0,
                **_harmless_secret_config(client))
    try:
        assert "hunter2" not in repr(b) and "hunter2" not in str(b)
    finally:
        b.close()


def _harmless_secret_config(client):
    # A secret-bearing setting the plaintext connection ignores.
    if client == "confluent":
        return {"sasl.password": "hunter2"}
    return {"sasl_plain_password": "hunter2"}


def test_cut_connection_fails_fetch_with_reason(proxied, proxy, topic_name):
    proxied.create_topic(topic_name)
    proxy.cut()
    with pytest.raises(BrokerError, match=f"broker {proxy.address} unreachable"):
        proxied.fetch(topic_name, 0, 0)


def test_cut_connection_fails_produce_with_reason(proxied, proxy, topic_name):
    proxied.create_topic(topic_name)
    proxied.produce(topic_name, b"k", b"before", partition=0)
    proxy.cut()
    with pytest.raises(BrokerError, match="unreachable"):
        proxied.produce_batch([(topic_name, 0, b"k", b"during", 1, ())])


def test_a_failed_produce_never_delivers_its_records_later(proxied, proxy, topic_name):
    """The retry of a failed batch must be the only copy that arrives: a copy the dropped
    producer kept retrying would land after newer records and put a table's value back."""
    proxied.create_topic(topic_name)
    proxied.produce(topic_name, b"k", b"before", partition=0)
    proxy.cut()
    with pytest.raises(BrokerError):
        proxied.produce_batch([(topic_name, 0, b"k", b"stale", 1, ())])
    proxy.restore()
    deadline = time.monotonic() + 30
    while True:
        try:
            proxied.produce_batch([(topic_name, 0, b"k", b"newer", 2, ())])
            break
        except BrokerError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    time.sleep(3)             # time for a surviving sender to deliver what it still held
    values = [r.value for r in proxied.records(topic_name)]
    assert values[-1] == b"newer" and b"stale" not in values[values.index(b"newer"):]


def test_status_reports_cut_then_connected(proxied, proxy):
    proxy.cut()
    assert proxied.status().startswith("unreachable: ")
    proxy.restore()
    assert proxied.status() == "connected"


def test_restored_connection_resumes_produce_and_fetch(proxied, proxy, topic_name):
    # Every call outside the cut may retry: on a saturated 2-core machine a round trip can
    # exceed the client's 3 s timeout; what is tested is that the same object works again.
    proxied.create_topic(topic_name)
    _eventually(lambda: proxied.produce(topic_name, b"k", b"before", partition=0))
    assert [r.value for r in _eventually(lambda: proxied.fetch(topic_name, 0, 0))][:1] == [b"before"]
    proxy.cut()
    with pytest.raises(BrokerError):
        proxied.fetch(topic_name, 0, 1)
    proxy.restore()
    _eventually(lambda: proxied.produce(topic_name, b"k", b"after", partition=0))
    values = [r.value for r in _eventually(lambda: proxied.records(topic_name))]
    assert values[0] == b"before" and values[-1] == b"after"


def test_restored_connection_resumes_offsets(proxied, proxy, topic_name):
    proxied.create_topic(topic_name)
    proxy.cut()
    with pytest.raises(BrokerError):
        proxied.commit_offsets("g_" + topic_name, {(topic_name, 0): 3})
    proxy.restore()
    _eventually(lambda: proxied.commit_offsets("g_" + topic_name, {(topic_name, 0): 3}))
    assert proxied.committed_offsets("g_" + topic_name, topic_name) == {0: 3}


def _eventually(action, within: float = 30.0):
    """Run action until it stops raising BrokerError (clients reconnect with a backoff)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return action()
        except BrokerError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
