"""Client secrets stay out of logs: kafka-python's DEBUG output of its configuration, and
any text naming a password/secret/token key, is masked before a handler sees it."""

import logging

import pytest

from ksql_magic.brokers import log_redaction
from kafka_support import *  # noqa: F401,F403  (fixtures)

PASSWORD = "pw-9f3a-never-print"


@pytest.mark.kafka
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_kafka_python_debug_log_of_a_sasl_config_shows_no_password(tansu, caplog):
    from ksql_magic.brokers import connect
    caplog.set_level(logging.DEBUG, logger="kafka")
    b = connect(tansu, client="kafka-python", timeout=5.0, sasl_mechanism="PLAIN",
                sasl_plain_username="alice", sasl_plain_password=PASSWORD)
    try:
        b.list_topics()
    finally:
        b.close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "sasl_plain_password" in text          # the client did log its configuration
    assert PASSWORD not in text and PASSWORD not in caplog.text


def test_secret_keyed_values_are_masked_in_any_text():
    text = ("{'sasl_plain_password': 'a b', \"ssl_password\": \"x\", sasl.oauth.token=abc; "
            "'client_id': 'me'}")
    clean = log_redaction.redact_text(text)
    assert "a b" not in clean and '"x"' not in clean and "abc" not in clean
    assert "'client_id': 'me'" in clean and "'sasl_plain_password': '***'" in clean


def test_a_registered_secret_is_masked_wherever_it_appears():
    log_redaction.remember_secrets({"sasl_plain_password": "hunter2-zz", "client_id": "app"})
    assert log_redaction.redact_text("auth with hunter2-zz as app") == "auth with *** as app"


def test_the_filter_covers_child_loggers_of_the_hierarchy(caplog):
    child = logging.getLogger("kafka.sec_test.child")
    log_redaction.install("kafka")
    caplog.set_level(logging.DEBUG, logger="kafka")
    child.debug("config: %s", {"ssl_password": "s3cret-value"})
    assert "s3cret-value" not in caplog.text and "'ssl_password': '***'" in caplog.text
