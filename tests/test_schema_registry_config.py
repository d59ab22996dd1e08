"""Which registry the engine uses, and that its credentials are never shown."""

import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402

from ksql_magic import Engine  # noqa: E402
from ksql_magic.connect import parse, redacted, registry_properties  # noqa: E402


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


def test_connect_passes_registry_and_credentials_as_properties():
    args = parse(["kafka://h:9092", "--schema-registry", "http://sr:8081",
                  "--schema-registry-auth", "bob:secret"])
    assert registry_properties(args) == {
        "ksql.schema.registry.url": "http://sr:8081",
        "ksql.schema.registry.basic.auth.user.info": "bob:secret",
        "ksql.schema.registry.basic.auth.credentials.source": "USER_INFO"}


def test_connect_echo_hides_credentials():
    text = "kafka://h:9092 --schema-registry http://bob:pw@sr:8081 --schema-registry-auth bob:pw"
    shown = redacted(text)
    assert "pw" not in shown and "http://***@sr:8081" in shown
