"""PAUSE / RESUME, ALTER SYSTEM, RUN SCRIPT (and %ksql -f), ASSERT TOPIC / SCHEMA and the
connector statements, as ksqlDB's statement reference describes them."""

import pytest

from ksql_magic import Engine
from ksql_magic.errors import KsqlStatementError, KsqlSyntaxError

INT_KEY = {1: b"\x00\x00\x00\x01", 2: b"\x00\x00\x00\x02"}


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM readings (sensor INT KEY, level INT) "
              "WITH (KAFKA_TOPIC='readings', PARTITIONS=1, VALUE_FORMAT='JSON');"
              "CREATE TABLE levels AS SELECT sensor, SUM(level) AS total FROM readings GROUP BY sensor;")
    yield e
    e.close()


def _query_id(engine):
    return next(q for q in engine.queries if q.startswith("CTAS_LEVELS"))


def _reading(engine, sensor, level):
    engine.produce("readings", '{"LEVEL": %d}' % level, key=INT_KEY[sensor])


def test_paused_query_reads_nothing_and_shows_paused(engine):
    _reading(engine, 1, 5)
    engine.drain()
    engine.execute("PAUSE %s;" % _query_id(engine))
    _reading(engine, 1, 7)
    engine.drain()
    assert engine.execute("SELECT * FROM levels;")[0].rows == [[1, 5]]
    status = {r[0]: r[2] for r in engine.execute("SHOW QUERIES;")[0].rows}
    assert status[_query_id(engine)] == "PAUSED"


def test_resumed_query_continues_from_its_offsets_and_state(engine):
    _reading(engine, 1, 5)
    engine.drain()
    engine.execute("PAUSE ALL;")
    _reading(engine, 1, 7)
    _reading(engine, 2, 1)
    engine.drain()
    engine.execute("RESUME %s;" % _query_id(engine).lower())
    engine.drain()
    assert engine.execute("SELECT * FROM levels;")[0].rows == [[1, 12], [2, 1]]


def test_pause_of_an_unknown_query_is_refused(engine):
    with pytest.raises(KsqlStatementError, match="Unknown queryId: NOPE"):
        engine.execute("PAUSE NOPE;")


def test_alter_system_sets_a_known_property(engine):
    r = engine.execute("ALTER SYSTEM 'ksql.streams.commit.interval.ms'='500';")[0]
    assert "commit.interval.ms" in r.message
    assert engine.properties["ksql.streams.commit.interval.ms"] == "500"


def test_alter_system_refuses_an_unknown_property(engine):
    with pytest.raises(KsqlStatementError, match="Not recognizable as ksql, streams"):
        engine.execute("ALTER SYSTEM 'colour.of.sky'='blue';")


def test_alter_system_checks_auto_offset_reset_values(engine):
    with pytest.raises(KsqlStatementError, match="String must be one of"):
        engine.execute("ALTER SYSTEM 'auto.offset.reset'='sometimes';")


def test_run_script_runs_each_statement_with_its_own_result(engine, tmp_path):
    script = tmp_path / "setup.sql"
    script.write_text("CREATE STREAM high AS SELECT * FROM readings WHERE level > 3;\nSHOW STREAMS;\n")
    results = engine.execute("RUN SCRIPT '%s';" % script)
    assert [r.kind for r in results] == ["persistent", "table"]
    assert "HIGH" in [row[0] for row in results[1].rows]


def test_run_script_of_a_missing_file_says_so(engine, tmp_path):
    with pytest.raises(KsqlStatementError, match="Failed to read file"):
        engine.execute("RUN SCRIPT '%s';" % (tmp_path / "absent.sql"))


def test_assert_topic_passes_with_matching_partitions(engine):
    assert engine.execute("ASSERT TOPIC readings WITH (PARTITIONS=1);")[0].message == "Topic readings exists"


def test_assert_topic_reports_a_mismatched_property(engine):
    with pytest.raises(KsqlStatementError, match="For config partitions, expected 3 got 1"):
        engine.execute("ASSERT TOPIC readings WITH (PARTITIONS=3) TIMEOUT 10 MILLISECONDS;")


def test_assert_topic_refuses_an_unknown_property(engine):
    with pytest.raises(KsqlStatementError, match="Cannot assert unknown topic property: CLEANUP"):
        engine.execute("ASSERT TOPIC readings WITH (CLEANUP=1) TIMEOUT 10 MILLISECONDS;")


def test_assert_topic_waits_out_its_timeout_then_fails(engine):
    with pytest.raises(KsqlStatementError, match="Topic later does not exist"):
        engine.execute("ASSERT TOPIC 'later' TIMEOUT 50 MILLISECONDS;")


def test_assert_not_exists_topic(engine):
    assert engine.execute("ASSERT NOT EXISTS TOPIC absent;")[0].message == "Topic absent does not exist"
    with pytest.raises(KsqlStatementError, match="Topic readings exists"):
        engine.execute("ASSERT NOT EXISTS TOPIC readings TIMEOUT 1 MILLISECOND;")


def test_assert_schema_needs_a_subject_or_id(engine):
    with pytest.raises(KsqlSyntaxError, match="subject name or an id"):
        engine.execute("ASSERT SCHEMA TIMEOUT 1 SECOND;")


def test_assert_schema_asks_the_embedded_registry(engine):
    with pytest.raises(KsqlStatementError, match="subject name readings-value does not exist"):
        engine.execute("ASSERT SCHEMA SUBJECT 'readings-value' TIMEOUT 1 MILLISECOND;")
    engine.execute("CREATE STREAM avro_readings (id INT KEY, v DOUBLE) WITH (kafka_topic="
                   "'avro_readings', partitions=1, value_format='AVRO');"
                   "INSERT INTO avro_readings (id, v) VALUES (1, 2.5);")
    engine.execute("ASSERT SCHEMA SUBJECT 'avro_readings-value' TIMEOUT 1 MILLISECOND;")
    engine.execute("ASSERT NOT EXISTS SCHEMA SUBJECT 'readings-value';")


@pytest.mark.parametrize("sql", [
    "CREATE SOURCE CONNECTOR pg WITH ('connector.class'='io.confluent.connect.jdbc.JdbcSourceConnector');",
    "CREATE SINK CONNECTOR IF NOT EXISTS es WITH ('topics'='readings');",
    "DROP CONNECTOR pg;",
    "DROP CONNECTOR IF EXISTS pg;",
    "SHOW CONNECTORS;",
    "LIST SOURCE CONNECTORS;",
    "SHOW SINK CONNECTORS;",
    "SHOW CONNECTOR PLUGINS;",
    "DESCRIBE CONNECTOR pg;",
])
def test_connector_statements_get_one_clear_message(engine, sql):
    with pytest.raises(KsqlStatementError, match="not supported in ksql_magic: connectors run in Kafka Connect"):
        engine.execute(sql)


def test_describe_of_a_source_named_connector_still_describes_it(engine):
    engine.execute("CREATE STREAM connector (id INT) WITH (KAFKA_TOPIC='c', PARTITIONS=1, VALUE_FORMAT='JSON');")
    assert engine.execute("DESCRIBE connector;")[0].rows == [["ID", "INTEGER"]]


def test_ksql_magic_dash_f_runs_a_file(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from fake_engine import FakeEngine
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    magic = ip.magics_manager.registry["KsqlMagic"]
    magic.use_engine(FakeEngine())
    script = tmp_path / "cell.sql"
    script.write_text("CREATE STREAM a (id INT);\nCREATE STREAM b (id INT);\n")
    try:
        with capture_output():
            ip.run_cell("%%ksql -f %s" % script)
        assert [s.split()[2] for s in magic.engine.executed] == ["a", "b"]
    finally:
        magic.shutdown()


def test_insert_into_with_query_id_names_the_query(engine):
    engine.execute("CREATE STREAM copies (sensor INT KEY, level INT) WITH (KAFKA_TOPIC='copies', "
                   "PARTITIONS=1, VALUE_FORMAT='JSON');")
    r = engine.execute("INSERT INTO copies WITH (QUERY_ID='copy_readings') SELECT * FROM readings;")[0]
    assert r.query_id == "COPY_READINGS" and "COPY_READINGS" in engine.queries


def test_insert_into_query_id_must_be_new_and_well_formed(engine):
    engine.execute("CREATE STREAM copies (sensor INT KEY, level INT) WITH (KAFKA_TOPIC='copies', "
                   "PARTITIONS=1, VALUE_FORMAT='JSON');"
                   "INSERT INTO copies WITH (QUERY_ID='q1') SELECT * FROM readings;")
    with pytest.raises(KsqlStatementError, match="Query ID 'Q1' already exists."):
        engine.execute("INSERT INTO copies WITH (QUERY_ID='q1') SELECT * FROM readings;")
    with pytest.raises(KsqlStatementError, match="only alphanumeric characters"):
        engine.execute("INSERT INTO copies WITH (QUERY_ID='bad-id') SELECT * FROM readings;")


def test_describe_function_shows_an_aggregates_return_type(engine):
    rows = engine.execute("DESCRIBE FUNCTION COUNT;")[0].rows
    assert {r[1] for r in rows} == {"BIGINT"}


def test_as_value_is_listed_and_described(engine):
    assert ["AS_VALUE", "OTHER"] in engine.execute("SHOW FUNCTIONS;")[0].rows
    assert engine.execute("DESCRIBE FUNCTION AS_VALUE;")[0].rows[0][:2] == ["as_value(T source)", "T"]


class _Missing(Exception):
    def __init__(self, code):
        super().__init__("not found")
        self.http_status_code, self.error_code = 404, code


class _FakeRegistry:
    """The slice of confluent_kafka's SchemaRegistryClient that ASSERT SCHEMA calls."""

    class _Version:
        def __init__(self, schema_id):
            self.schema_id = schema_id

    def __init__(self, subjects):
        self.subjects = subjects            # subject -> [schema ids by version]

    def get_schema(self, schema_id):
        if not any(schema_id in ids for ids in self.subjects.values()):
            raise _Missing(40403)
        return object()

    def get_versions(self, subject):
        if subject not in self.subjects:
            raise _Missing(40401)
        return list(range(1, len(self.subjects[subject]) + 1))

    def get_version(self, subject, version):
        return self._Version(self.subjects[subject][version - 1])

    def get_latest_version(self, subject):
        return self.get_version(subject, self.get_versions(subject)[-1])


@pytest.fixture
def registry(monkeypatch):
    from ksql_magic import admin
    fake = _FakeRegistry({"readings-value": [3, 5]})
    monkeypatch.setattr(admin, "_schema_registry", lambda engine: fake)
    return fake


def test_assert_schema_by_subject_id_and_both(engine, registry):
    assert engine.execute("ASSERT SCHEMA SUBJECT 'readings-value';")[0].message == \
        "Schema with subject name readings-value exists"
    assert engine.execute("ASSERT SCHEMA ID 5;")[0].message == "Schema with id 5 exists"
    assert engine.execute("ASSERT SCHEMA SUBJECT 'readings-value' ID 3;")[0].message == \
        "Schema with subject name readings-value id 3 exists"


def test_assert_schema_failures_name_what_was_asked(engine, registry):
    with pytest.raises(KsqlStatementError, match="Schema with subject name other-value does not exist"):
        engine.execute("ASSERT SCHEMA SUBJECT 'other-value' TIMEOUT 1 MILLISECOND;")
    with pytest.raises(KsqlStatementError, match="Schema with id 5 exists"):
        engine.execute("ASSERT NOT EXISTS SCHEMA ID 5 TIMEOUT 1 MILLISECOND;")
    assert engine.execute("ASSERT NOT EXISTS SCHEMA SUBJECT 'readings-value' ID 9;")[0].message == \
        "Schema with subject name readings-value id 9 does not exist"
