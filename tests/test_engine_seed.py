"""The seed's statements that need neither windows nor joins, with exact expected outputs."""

import json

import pytest

from ksql_magic import Engine, KsqlError, KsqlStatementError, KsqlSyntaxError
from kafka_support import on_each_broker  # noqa: F401 - fixture: memory, then Kafka

pytestmark = pytest.mark.usefixtures("on_each_broker")


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    yield e
    e.close()


CLICKS = """CREATE STREAM clickstream (user_id VARCHAR KEY, page VARCHAR, status INT, bytes BIGINT,
  user_agent VARCHAR) WITH (KAFKA_TOPIC='clickstream', VALUE_FORMAT='JSON', PARTITIONS=1);"""


def _click(engine, user, page, agent, ts):
    engine.produce("clickstream", json.dumps({"PAGE": page, "STATUS": 200, "BYTES": 10,
                                              "USER_AGENT": agent}), key=user, timestamp=ts)


def test_show_topics_lists_created_topics(engine):
    engine.execute(CLICKS)
    engine.create_topic("my-topic", partitions=3)
    rows = engine.execute("SHOW TOPICS;")[0].rows
    assert ["clickstream", 1, 1] in rows and ["my-topic", 3, 1] in rows


def test_print_from_beginning_shows_every_record(engine):
    engine.create_topic("my-topic")
    engine.produce("my-topic", '{"a": 1}', key="k1", timestamp=0)
    engine.produce("my-topic", '{"a": 2}', key="k2", timestamp=1000)
    result = engine.execute("PRINT 'my-topic' FROM BEGINNING;")[0]
    assert [(r[3], r[4]) for r in result.rows] == [("k1", '{"a": 1}'), ("k2", '{"a": 2}')]
    assert result.rows[1][0] == "1970/01/01 00:00:01.000 Z"


def test_like_query_keeps_only_mozilla_clicks(engine):
    engine.execute(CLICKS)
    _click(engine, "alice", "/a", "Mozilla/5.0 (X11)", 1)
    _click(engine, "bob", "/b", "curl/8", 2)
    _click(engine, "carol", "/c", "Mozilla/5.0 (Mac)", 3)
    result = engine.execute("SELECT page, user_id, status, bytes FROM clickstream "
                            "WHERE user_agent LIKE 'Mozilla/5.0%';")[0]
    assert result.columns == ["PAGE", "USER_ID", "STATUS", "BYTES"]
    assert result.rows == [["/a", "alice", 200, 10], ["/c", "carol", 200, 10]]


def test_like_push_query_yields_rows_as_they_arrive(engine):
    engine.execute(CLICKS)
    handle = engine.execute("SELECT page FROM clickstream WHERE user_agent LIKE 'Mozilla/5.0%' "
                            "EMIT CHANGES;")[0].handle
    _click(engine, "alice", "/a", "Mozilla/5.0", 1)
    _click(engine, "bob", "/b", "curl", 2)
    engine.drain()
    assert handle.to_pandas()["PAGE"].tolist() == ["/a"]
    handle.stop()


def test_insert_into_merges_two_streams(engine):
    engine.execute("""
      CREATE STREAM sales_online (itemId BIGINT, price INTEGER, shipmentId BIGINT)
        WITH (KAFKA_TOPIC='sales_online', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM sales_offline (itemId BIGINT, price INTEGER, storeId BIGINT)
        WITH (KAFKA_TOPIC='sales_offline', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM all_sales (itemId BIGINT, price INTEGER)
        WITH (KAFKA_TOPIC='all_sales', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO all_sales SELECT itemId, price FROM sales_online;
      INSERT INTO all_sales SELECT itemId, price FROM sales_offline;""")
    engine.produce("sales_online", '{"ITEMID": 1, "PRICE": 10, "SHIPMENTID": 7}', timestamp=1)
    engine.produce("sales_offline", '{"ITEMID": 2, "PRICE": 20, "STOREID": 3}', timestamp=2)
    engine.produce("sales_online", '{"ITEMID": 3, "PRICE": 30, "SHIPMENTID": 8}', timestamp=3)
    engine.drain()
    assert [r.value for r in engine.records("all_sales")] == [
        b'{"ITEMID":1,"PRICE":10}', b'{"ITEMID":2,"PRICE":20}', b'{"ITEMID":3,"PRICE":30}']
    queries = engine.execute("SHOW QUERIES;")[0].rows
    assert sorted(r[0] for r in queries) == ["INSERTQUERY_0", "INSERTQUERY_1"]


def test_malformed_records_are_skipped_counted_and_logged(engine):
    engine.execute(CLICKS + "CREATE STREAM pages AS SELECT user_id, page FROM clickstream;")
    _click(engine, "alice", "/a", "x", 1)
    engine.produce("clickstream", "{not json", key="bob", timestamp=2)
    engine.produce("clickstream", '{"STATUS": "not a number"}', key="bob", timestamp=3)
    _click(engine, "carol", "/c", "x", 4)
    engine.drain()
    assert [r.key for r in engine.records("PAGES")] == [b"alice", b"carol"]
    status = engine.query_status("CSAS_PAGES_0")
    assert status["deser_errors"] == 2 and status["state"] == "RUNNING"
    assert engine.processing_log.count == 2
    logged = engine.records("default_ksql_processing_log")
    assert "Failed to deserialize" in json.loads(logged[0].value)["MESSAGE"]["DESERIALIZATIONERROR"]["ERRORMESSAGE"]


def test_pull_query_on_table_answers_from_latest_state(engine):
    engine.execute("CREATE SOURCE TABLE users (id VARCHAR PRIMARY KEY, level VARCHAR) "
                   "WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.produce("users", '{"LEVEL": "Gold"}', key="u1")
    engine.produce("users", '{"LEVEL": "Platinum"}', key="u1")
    engine.produce("users", '{"LEVEL": "Silver"}', key="u2")
    engine.produce("users", None, key="u2")
    assert engine.execute("SELECT * FROM users;")[0].rows == [["u1", "Platinum"]]
    assert engine.execute("SELECT level FROM users WHERE id = 'u1';")[0].rows == [["Platinum"]]


def test_a_failed_statement_leaves_the_catalog_untouched(engine):
    engine.execute(CLICKS)
    before = sorted(engine.catalog.sources)
    with pytest.raises(KsqlStatementError):
        engine.execute("CREATE STREAM ok AS SELECT user_id, page FROM clickstream; "
                       "CREATE STREAM bad AS SELECT nope FROM clickstream;")
    assert "BAD" not in engine.catalog.sources
    assert sorted(engine.catalog.sources) == sorted(before + ["OK"])


def test_python_udf_is_callable_from_sql(engine):
    engine.register_udf("anomaly", lambda x: None if x is None else x * 2.0, ["DOUBLE"], "DOUBLE")
    engine.execute("CREATE STREAM health_sensor (event_id VARCHAR KEY, sensorinput DOUBLE) "
                   "WITH (KAFKA_TOPIC='health', VALUE_FORMAT='JSON', PARTITIONS=1);"
                   "CREATE STREAM scored AS SELECT event_id, anomaly(SENSORINPUT) AS score FROM health_sensor;")
    engine.produce("health", '{"SENSORINPUT": 1.5}', key="e1")
    engine.drain()
    assert engine.records("SCORED")[0].value == b'{"SCORE":3.0}'


def test_define_substitutes_variables(engine):
    engine.execute("DEFINE topic = 'clicks2'; CREATE STREAM c2 (v INT) "
                   "WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='JSON', PARTITIONS=1);")
    assert engine.catalog.sources["C2"].topic == "clicks2"


def test_syntax_error_points_at_token(engine):
    with pytest.raises(KsqlSyntaxError) as err:
        engine.execute("SELECT * FORM clickstream;")
    assert (err.value.line, err.value.column) == (1, 10)
    assert isinstance(err.value, KsqlError)


def test_talk_form_key_property_declares_the_key_column(engine):
    result = engine.execute("CREATE TABLE users_table (user_id VARCHAR, country VARCHAR) "
                            "WITH (KEY='user_id', KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")[0]
    assert "pre-0.10 form" in result.message
    assert [c.name for c in engine.catalog.sources["USERS_TABLE"].key_columns] == ["USER_ID"]
    engine.produce("users", '{"COUNTRY": "JP"}', key="u1")
    engine.execute("CREATE TABLE queryable_users AS SELECT * FROM users_table;")
    engine.drain()
    assert engine.execute("SELECT * FROM queryable_users;")[0].rows == [["u1", "JP"]]


def test_table_without_primary_key_says_how_to_declare_one(engine):
    with pytest.raises(KsqlStatementError, match="PRIMARY KEY"):
        engine.execute("CREATE TABLE t (id VARCHAR, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);")


def test_push_query_over_a_table_updates_rows_in_place_by_key(engine):
    engine.execute("CREATE TABLE users (id VARCHAR PRIMARY KEY, level VARCHAR) "
                   "WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    handle = engine.execute("SELECT level, id FROM users EMIT CHANGES;")[0].handle
    engine.produce("users", '{"LEVEL": "Gold"}', key="u1")
    engine.produce("users", '{"LEVEL": "Silver"}', key="u2")
    engine.produce("users", '{"LEVEL": "Platinum"}', key="u1")
    engine.drain()
    assert handle.columns == ["LEVEL", "ID"]
    assert sorted(map(tuple, handle.to_pandas().values.tolist())) == [("Platinum", "u1"), ("Silver", "u2")]
