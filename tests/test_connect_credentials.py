"""%ksql connect never takes credentials in the URL and never echoes a secret: client
settings come as options, secrets from environment variables."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ksql_magic.connect import client_config, describe, engine_for, parse
from ksql_magic.errors import KsqlStatementError
from fake_engine import FakeEngine

SECRET = "Zq8-pass-word"


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    magic = ip.magics_manager.registry["KsqlMagic"]
    magic.use_engine(FakeEngine())
    yield ip
    magic.shutdown()


@pytest.mark.parametrize("target", ["kafka://alice:%s@localhost:9" % SECRET,
                                    "kafka://alice:%s@h1:9,h2:9" % SECRET])
def test_userinfo_in_a_kafka_url_is_refused_without_repeating_it(target):
    with pytest.raises(KsqlStatementError) as err:
        engine_for([target])
    assert SECRET not in str(err.value) and "alice" not in str(err.value)
    assert "--config-env sasl_plain_password=" in str(err.value)


def test_userinfo_in_a_flink_url_is_refused_too():
    with pytest.raises(KsqlStatementError, match="credentials do not go in the URL") as err:
        engine_for(["flink://bob:%s@gw:8083" % SECRET, "kafka://h:9"])
    assert SECRET not in str(err.value)


def test_magic_connect_with_userinfo_shows_the_rule_and_never_the_password(shell):
    with capture_output() as out:
        shell.run_cell("%%ksql connect kafka://alice:%s@localhost:1" % SECRET)
    shown = out.stdout + out.stderr + "".join(str(o.data) for o in out.outputs)
    assert "credentials do not go in the URL" in shown
    assert SECRET not in shown


def test_secret_config_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SEC_TEST_PW", SECRET)
    args = parse(["kafka://h:9", "--config", "sasl_mechanism=PLAIN", "--config", "retries=3",
                  "--config-env", "sasl_plain_password=SEC_TEST_PW"])
    assert client_config(args) == {"sasl_mechanism": "PLAIN", "retries": 3,
                                   "sasl_plain_password": SECRET}


def test_a_secret_typed_into_config_is_refused_without_echo():
    args = parse(["kafka://h:9", "--config", "ssl_password=%s" % SECRET])
    with pytest.raises(KsqlStatementError, match="--config-env ssl_password=ENV_VAR") as err:
        client_config(args)
    assert SECRET not in str(err.value)


def test_the_connected_line_names_config_keys_not_values(monkeypatch):
    monkeypatch.setenv("SEC_TEST_PW", SECRET)
    text = describe(["kafka://h:9", "--client", "kafka-python", "--config",
                     "sasl_plain_username=alice", "--config-env", "sasl_plain_password=SEC_TEST_PW"])
    assert text == ("kafka://h:9 (client kafka-python) with sasl_plain_username, "
                    "sasl_plain_password")


def test_a_bad_option_is_a_usage_message_that_does_not_echo_it(capsys):
    with pytest.raises(KsqlStatementError, match="usage: %ksql connect") as err:
        parse(["kafka://h:9", "--password=%s" % SECRET])
    assert SECRET not in str(err.value) and SECRET not in capsys.readouterr().err
