"""https://docs.ksqldb.io/en/latest/how-to-guides/substitute-variables/

DEFINE / ${name} (case-insensitive) in literals and identifiers, SHOW VARIABLES, UNDEFINE,
and $$ to escape a reference."""

import pytest

from ksql_magic.errors import KsqlError
from conftest import pull_rows


def test_variables_fill_properties_and_names(engine):
    engine.execute("""
        DEFINE fmt = 'JSON';
        DEFINE parts = '2';
        DEFINE streamName = 'clicks';
        CREATE STREAM ${streamName} (id INT) WITH (kafka_topic='clicks', value_format='${fmt}',
          partitions=${PARTS});""")
    src = engine.catalog.sources["CLICKS"]
    assert (src.value_format, engine.broker.topic("clicks").partitions) == ("JSON", 2)


def test_show_variables_lists_them(engine):
    engine.execute("DEFINE fmt = 'JSON'; DEFINE parts = '3';")
    assert sorted(engine.execute("SHOW VARIABLES;")[0].rows) == [["fmt", "JSON"], ["parts", "3"]]


def test_undefine_removes_a_variable(engine):
    engine.execute("DEFINE fmt = 'JSON'; DEFINE parts = '3'; UNDEFINE parts;")
    assert engine.execute("SHOW VARIABLES;")[0].rows == [["fmt", "JSON"]]


def test_double_dollar_escapes_a_reference(engine):
    engine.execute("DEFINE fmt = 'JSON';"
                   "CREATE STREAM s (id INT) WITH (kafka_topic='s', partitions=1, value_format='JSON');"
                   "INSERT INTO s (id) VALUES (1);")
    assert pull_rows(engine, "SELECT '$${fmt}' AS raw, '${fmt}' AS used FROM s;") == [["${fmt}", "JSON"]]


def test_values_in_insert_come_from_variables(engine):
    engine.execute("DEFINE v1 = '7'; DEFINE v2 = 'seven';"
                   "CREATE STREAM s (n INT, word STRING) WITH (kafka_topic='s', partitions=1, "
                   "value_format='JSON');"
                   "INSERT INTO s (n, word) VALUES (${v1}, '${v2}');")
    assert pull_rows(engine, "SELECT * FROM s;") == [[7, "seven"]]


def test_an_undefined_variable_leaves_the_statement_unparsable(engine):
    with pytest.raises(KsqlError):
        engine.execute("CREATE STREAM ${nothing} (id INT) WITH (kafka_topic='x', partitions=1, "
                       "value_format='JSON');")
