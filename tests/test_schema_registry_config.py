"""Which registry the engine uses, and that its credentials are never shown."""

import warnings

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402

from ksql_magic import Engine  # noqa: E402
from ksql_magic.connect import parse, registry_properties  # noqa: E402
from ksql_magic.errors import KsqlError  # noqa: E402


def test_default_registry_is_in_memory_and_private_to_the_engine():
    a, b = Engine(), Engine()
    try:
        assert type(a.schema_registry).__name__ == "MockSchemaRegistryClient"
        assert a.schema_registry is not b.schema_registry
        assert isinstance(a.schema_registry, SchemaRegistryClient)
    finally:
        a.close()
        b.close()


def test_registry_url_property_selects_a_real_client():
    e = Engine(properties={"ksql.schema.registry.url": "http://127.0.0.1:9",
                           "ksql.schema.registry.basic.auth.user.info": "bob:secret"})
    try:
        client = e.schema_registry
        assert type(client).__name__ == "SchemaRegistryClient"
        rows = dict(e.execute("SHOW PROPERTIES;")[0].rows)
        assert rows["ksql.schema.registry.basic.auth.user.info"] == "***"
        assert rows["ksql.schema.registry.url"] == "http://127.0.0.1:9"
    finally:
        e.close()


def test_connect_reads_registry_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("SR_USER_INFO", "bob:secret")
    args = parse(["kafka://h:9092", "--schema-registry", "http://sr:8081",
                  "--schema-registry-auth-env", "SR_USER_INFO"])
    assert registry_properties(args) == {
        "ksql.schema.registry.url": "http://sr:8081",
        "ksql.schema.registry.basic.auth.user.info": "bob:secret",
        "ksql.schema.registry.basic.auth.credentials.source": "USER_INFO"}


def test_connect_refuses_registry_credentials_in_the_url():
    with pytest.raises(KsqlError) as err:
        parse(["kafka://h:9092", "--schema-registry", "http://bob:pw1234@sr:8081"])
    assert "pw1234" not in str(err.value)
