"""What the statement checks accept: the edges of each rule, so validation refuses exactly
what ksqlDB refuses and nothing a working statement uses."""

import pytest

from ksql_magic import Engine, KsqlError
from ksql_magic.validation import topic_name_problem


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM orders (id VARCHAR KEY, qty INT) "
              "WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);")
    yield e
    e.close()


def _partitions(engine, topic):
    return engine.broker.topic(topic).partitions


def test_partitions_given_as_a_string_are_read_as_a_number(engine):
    engine.execute("CREATE STREAM s (a INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=' 3 ');")
    assert _partitions(engine, "s") == 3


def test_replicas_minus_one_means_the_broker_default(engine):
    engine.execute("CREATE STREAM s (a INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', "
                   "PARTITIONS=1, REPLICAS=-1);")
    assert "S" in engine.catalog.sources


def test_replicas_decimal_is_narrowed_like_java_short_value(engine):
    engine.execute("CREATE STREAM s (a INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', "
                   "PARTITIONS=1, REPLICAS=1.9);")
    assert "S" in engine.catalog.sources


def test_property_names_are_case_insensitive(engine):
    engine.execute("CREATE STREAM s (a INT) WITH (kafka_topic='s', value_format='JSON', partitions=2);")
    assert _partitions(engine, "s") == 2


def test_wrap_single_value_takes_a_boolean_string(engine):
    engine.execute("CREATE STREAM s WITH (WRAP_SINGLE_VALUE='false') AS SELECT qty FROM orders;")
    assert "S" in engine.catalog.sources


def test_topic_name_rules_match_kafka():
    assert topic_name_problem("a" * 249) is None
    assert "longer than 249" in topic_name_problem("a" * 250)
    assert topic_name_problem("x.y_z-1") is None
    assert topic_name_problem("...") is None
    assert topic_name_problem("..") == 'Topic name cannot be "." or ".."'


def test_hopping_advance_equal_to_size_is_a_tumbling_window(engine):
    engine.execute("CREATE TABLE h AS SELECT id, COUNT(*) AS n FROM orders "
                   "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY id;")
    assert engine.catalog.sources["H"].window.kind == "HOPPING"


def test_zero_grace_period_is_allowed(engine):
    engine.execute("CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM orders "
                   "WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 0 SECONDS) GROUP BY id;")
    assert "T" in engine.catalog.sources


def test_decimal_with_scale_equal_to_precision_is_allowed(engine):
    engine.execute("CREATE STREAM d (x DECIMAL(3,3)) WITH (KAFKA_TOPIC='d', VALUE_FORMAT='JSON', PARTITIONS=1);")
    assert str(engine.catalog.sources["D"].column("X").type) == "DECIMAL(3, 3)"


def test_typed_timestamp_literal_in_range_is_inserted(engine):
    engine.execute("CREATE STREAM ev (id VARCHAR KEY, at TIMESTAMP) "
                   "WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.execute("INSERT INTO ev (id, at) VALUES ('k', TIMESTAMP '9999-12-31T23:59:59');")
    assert len(engine.records("ev")) == 1


@pytest.mark.parametrize("name, value", [
    ("auto.offset.reset", "Earliest"),
    ("ksql.streams.auto.offset.reset", "latest"),
    ("ksql.streams.consumer.auto.offset.reset", "none"),
    ("ksql.streams.commit.interval.ms", "0"),
    ("ksql.streams.cache.max.bytes.buffering", "0"),
    ("ksql.query.pull.table.scan.enabled", "FALSE"),
    ("processing.guarantee", "exactly_once_v2"),
    ("some.client.setting", "anything at all"),
])
def test_set_accepts_values_of_the_property_type(engine, name, value):
    engine.execute("SET '%s'='%s';" % (name, value))
    assert engine.properties[name] == value


def test_set_refusal_names_the_kafka_property(engine):
    with pytest.raises(KsqlError) as err:
        engine.execute("SET 'ksql.streams.consumer.auto.offset.reset'='up';")
    assert err.value.message == ("Invalid value up for configuration auto.offset.reset: "
                                 "String must be one of: latest, earliest, none")
    assert (err.value.line, err.value.column) == (1, 1)


def test_with_values_are_trimmed_as_kafka_config_strings(engine):
    engine.execute("CREATE STREAM s (a INT) WITH (KAFKA_TOPIC=' spaced ', VALUE_FORMAT=' json ', PARTITIONS=1);")
    assert engine.catalog.sources["S"].topic == "spaced"
    assert engine.broker.topic("spaced") is not None
