"""PARTITION BY: the new key, its name, the output partition and the error messages."""

import json

import pytest

from ksql_magic.brokers.partitioner import default_partition
from ksql_magic.engine import Engine
from ksql_magic.errors import KsqlStatementError


@pytest.fixture
def engine():
    e = Engine()
    e.execute("CREATE STREAM clicks (user_id INT KEY, page STRING, region STRING) "
              "WITH (kafka_topic='clicks', value_format='JSON', partitions=4);")
    yield e
    e.close()


def _describe(engine, name):
    return [(c.name, str(c.type), c.namespace) for c in
            engine.catalog.sources[name].key_columns + engine.catalog.sources[name].value_columns]


def test_partition_by_value_column_makes_it_the_key(engine):
    engine.execute("CREATE STREAM by_region AS SELECT * FROM clicks PARTITION BY region;")
    assert _describe(engine, "BY_REGION") == [("REGION", "STRING", "KEY"), ("PAGE", "STRING", "VALUE"),
                                              ("USER_ID", "INTEGER", "VALUE")]


def test_partition_by_writes_to_kafka_partition_of_new_key(engine):
    engine.execute("CREATE STREAM by_page AS SELECT page, user_id FROM clicks PARTITION BY page;")
    for i, page in enumerate(["home", "cart", "pay", "about", "faq"]):
        engine.produce("clicks", json.dumps({"PAGE": page, "REGION": "eu"}).encode(), key=(i).to_bytes(4, "big"))
    engine.drain()
    out = engine.records("BY_PAGE")
    assert len(out) == 5
    for r in out:
        assert r.partition == default_partition(r.key, 4)


def test_partition_by_expression_gets_ksql_col_name(engine):
    engine.execute("CREATE STREAM up AS SELECT * FROM clicks PARTITION BY UCASE(page);")
    assert _describe(engine, "UP")[0] == ("KSQL_COL_0", "STRING", "KEY")


def test_partition_by_null_gives_keyless_stream(engine):
    engine.execute("CREATE STREAM nokey AS SELECT * FROM clicks PARTITION BY NULL;")
    assert all(ns == "VALUE" for _, _, ns in _describe(engine, "NOKEY"))


def test_partition_by_missing_from_projection_is_an_error(engine):
    with pytest.raises(KsqlStatementError, match="must include the partitioning expression CLICKS.REGION"):
        engine.execute("CREATE STREAM bad AS SELECT page FROM clicks PARTITION BY region;")


def test_partition_by_output_alias_is_an_error(engine):
    with pytest.raises(KsqlStatementError, match="must be a column in the source schema"):
        engine.execute("CREATE STREAM bad AS SELECT page AS p, region FROM clicks PARTITION BY p;")
