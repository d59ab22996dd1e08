"""Statements ksqlDB refuses before running anything: untyped NULL arithmetic, LIMIT where it
has no meaning, foreign-key joins of windowed tables, pseudo columns in INSERT VALUES. Each
refusal must be a KsqlError carrying ksqlDB's text and the statement's position."""

import pytest

from ksql_magic import Engine, KsqlError

READINGS = ("CREATE STREAM readings (sensor VARCHAR KEY, celsius INT, site VARCHAR) "
            "WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);")


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute(READINGS)
    yield e
    e.close()


def _refusal(engine, sql: str) -> KsqlError:
    with pytest.raises(KsqlError) as err:
        engine.execute(sql)
    assert err.value.line is not None and err.value.column is not None, str(err.value)
    return err.value


# -- arithmetic with a bare NULL --------------------------------------------------------------

def test_integer_plus_untyped_null_is_refused(engine):
    e = _refusal(engine, "SELECT celsius + NULL FROM readings EMIT CHANGES;")
    assert "Error processing expression: (CELSIUS + null). " \
           "Arithmetic on types INTEGER and null are not supported." in str(e)


def test_untyped_null_on_the_left_is_named_first(engine):
    e = _refusal(engine, "SELECT NULL - 2.50 FROM readings EMIT CHANGES;")
    assert "Arithmetic on types null and DECIMAL(3, 2) are not supported." in str(e)


def test_two_untyped_nulls_are_refused(engine):
    e = _refusal(engine, "SELECT NULL % NULL FROM readings EMIT CHANGES;")
    assert "Arithmetic on types null and null are not supported." in str(e)


def test_null_cast_to_a_type_takes_part_in_arithmetic(engine):
    engine.produce("readings", '{"CELSIUS": 21, "SITE": "roof"}', key="t1")
    rows = engine.execute("SELECT CAST(NULL AS INT) * celsius AS v FROM readings;")[0].rows
    assert rows == [[None]]


def test_non_numeric_arithmetic_names_the_base_types(engine):
    e = _refusal(engine, "SELECT ARRAY[celsius] * 2 FROM readings EMIT CHANGES;")
    assert "Unsupported arithmetic types. ARRAY INTEGER" in str(e)


def test_plus_still_concatenates_two_strings(engine):
    engine.produce("readings", '{"CELSIUS": 5, "SITE": "cellar"}', key="t2")
    rows = engine.execute("SELECT site + '!' AS v FROM readings;")[0].rows
    assert rows == [["cellar!"]]


# -- LIMIT --------------------------------------------------------------------------------------

def test_create_stream_as_select_refuses_limit(engine):
    e = _refusal(engine, "CREATE STREAM warm AS SELECT * FROM readings WHERE celsius > 20 LIMIT 3;")
    assert "CREATE STREAM AS SELECT statements don't support LIMIT clause." in str(e)
    assert "WARM" not in engine.catalog.sources


def test_create_table_as_select_refuses_limit(engine):
    e = _refusal(engine, "CREATE TABLE per_site AS SELECT site, COUNT(*) AS n FROM readings "
                         "GROUP BY site LIMIT 10;")
    assert "CREATE TABLE AS SELECT statements don't support LIMIT clause." in str(e)


def test_pull_query_refuses_a_negative_limit(engine):
    e = _refusal(engine, "SELECT * FROM readings LIMIT -4;")
    assert "Pull queries don't support negative integers in the LIMIT clause." in str(e)


def test_limit_must_be_a_whole_number(engine):
    e = _refusal(engine, "SELECT * FROM readings EMIT CHANGES LIMIT 0.5;")
    assert "Value must be integer for command: LIMIT" in str(e)
    assert e.column == len("SELECT * FROM readings EMIT CHANGES LIMIT ") + 1


# -- joins --------------------------------------------------------------------------------------

def test_foreign_key_join_of_windowed_tables_is_refused(engine):
    for name, cols in (("visits", "page VARCHAR PRIMARY KEY, owner VARCHAR"),
                       ("owners", "owner VARCHAR PRIMARY KEY, team VARCHAR")):
        engine.execute("CREATE TABLE %s (%s) WITH (KAFKA_TOPIC='%s', VALUE_FORMAT='JSON', "
                       "PARTITIONS=1, WINDOW_TYPE='HOPPING', WINDOW_SIZE='5 SECONDS');" % (name, cols, name))
    e = _refusal(engine, "SELECT * FROM visits JOIN owners ON visits.owner = owners.owner EMIT CHANGES;")
    assert "Foreign-key table-table joins are not supported on windowed tables." in str(e)


# -- INSERT VALUES --------------------------------------------------------------------------------

@pytest.mark.parametrize("pseudo", ["ROWPARTITION", "ROWOFFSET"])
def test_insert_values_refuses_kafka_assigned_pseudo_columns(engine, pseudo):
    e = _refusal(engine, "INSERT INTO readings (sensor, celsius, %s) VALUES ('t9', 3, 0);" % pseudo)
    assert "Inserting into column `%s` is not allowed." % pseudo in str(e)


def test_insert_values_may_set_rowtime(engine):
    engine.execute("INSERT INTO readings (sensor, celsius, ROWTIME) VALUES ('t3', 12, 86400000);")
    rows = engine.execute("SELECT sensor, ROWTIME FROM readings;")[0].rows
    assert rows == [["t3", 86400000]]


def test_insert_values_counts_named_columns_before_the_target_exists(engine):
    e = _refusal(engine, "INSERT INTO nowhere (a, b, c) VALUES (1, 2);")
    assert "Expected number columns and values to match: 3, 2" in str(e)


def test_insert_values_names_an_unknown_column_in_backticks(engine):
    e = _refusal(engine, "INSERT INTO readings (sensor, humidity) VALUES ('t4', 40);")
    assert "Column name `HUMIDITY` does not exist." in str(e)
