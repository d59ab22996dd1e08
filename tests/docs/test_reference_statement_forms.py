"""https://docs.ksqldb.io/en/latest/developer-guide/ksqldb-reference/ (the statement index)

Every statement form of ksqlDB's grammar (SqlBase.g4's ``statement`` rule, plus PAUSE /
RESUME, RUN SCRIPT and ASSERT) is walked in one notebook-like session: each either runs or
is refused with the one message for what ksql_magic leaves to other systems (connectors).
None may fail to parse."""

import pytest

from ksql_magic.errors import KsqlError, KsqlSyntaxError

CONNECTORS = "not supported in ksql_magic: connectors run in Kafka Connect"

# (statement, expected): "ok" runs; otherwise a message the refusal must contain
FORMS = [
    ("CREATE STREAM clicks (user_id VARCHAR KEY, url VARCHAR, ms BIGINT) "
     "WITH (kafka_topic='clicks', partitions=1, value_format='json');", "ok"),
    ("CREATE SOURCE STREAM raw_clicks (user_id VARCHAR KEY, url VARCHAR) "
     "WITH (kafka_topic='clicks', value_format='json');", "ok"),
    ("CREATE TABLE users (id VARCHAR PRIMARY KEY, name VARCHAR) "
     "WITH (kafka_topic='users', partitions=1, value_format='json');", "ok"),
    ("CREATE SOURCE TABLE users_view (id VARCHAR PRIMARY KEY, name VARCHAR) "
     "WITH (kafka_topic='users', value_format='json');", "ok"),
    ("CREATE OR REPLACE STREAM clicks (user_id VARCHAR KEY, url VARCHAR, ms BIGINT) "
     "WITH (kafka_topic='clicks', partitions=1, value_format='json');", "ok"),
    ("CREATE STREAM IF NOT EXISTS clicks (x INT) WITH (kafka_topic='clicks', value_format='json');", "ok"),
    ("CREATE STREAM long_clicks AS SELECT * FROM clicks WHERE ms > 1000;", "ok"),
    ("CREATE OR REPLACE STREAM long_clicks AS SELECT * FROM clicks WHERE ms > 2000;", "ok"),
    ("CREATE TABLE clicks_per_user AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id;", "ok"),
    ("CREATE TYPE address AS STRUCT<street VARCHAR, city VARCHAR>;", "ok"),
    ("INSERT INTO clicks (user_id, url, ms) VALUES ('u1', '/home', 1500);", "ok"),
    ("INSERT INTO long_clicks SELECT * FROM clicks WHERE ms > 99999;", "ok"),
    ("SELECT * FROM clicks EMIT CHANGES LIMIT 1;", "ok"),
    ("SELECT * FROM clicks_per_user WHERE user_id = 'u1';", "ok"),
    ("SELECT * FROM clicks;", "ok"),
    ("SHOW TOPICS;", "ok"), ("SHOW ALL TOPICS;", "ok"), ("SHOW TOPICS EXTENDED;", "ok"),
    ("LIST STREAMS;", "ok"), ("SHOW STREAMS EXTENDED;", "ok"),
    ("SHOW TABLES;", "ok"), ("SHOW TABLES EXTENDED;", "ok"),
    ("SHOW QUERIES;", "ok"), ("SHOW QUERIES EXTENDED;", "ok"),
    ("SHOW PROPERTIES;", "ok"), ("SHOW FUNCTIONS;", "ok"), ("SHOW TYPES;", "ok"),
    ("SHOW VARIABLES;", "ok"),
    ("SHOW CONNECTORS;", CONNECTORS), ("SHOW SOURCE CONNECTORS;", CONNECTORS),
    ("SHOW SINK CONNECTORS;", CONNECTORS), ("SHOW CONNECTOR PLUGINS;", CONNECTORS),
    ("DESCRIBE clicks;", "ok"), ("DESCRIBE clicks EXTENDED;", "ok"),
    ("DESCRIBE STREAMS;", "ok"), ("DESCRIBE TABLES EXTENDED;", "ok"),
    ("DESCRIBE FUNCTION COUNT;", "ok"),
    ("DESCRIBE CONNECTOR jdbc_source;", CONNECTORS),
    ("CREATE SOURCE CONNECTOR jdbc_source WITH ('connector.class'='JdbcSourceConnector');", CONNECTORS),
    ("CREATE SINK CONNECTOR IF NOT EXISTS es_sink WITH ('topics'='clicks');", CONNECTORS),
    ("DROP CONNECTOR jdbc_source;", CONNECTORS), ("DROP CONNECTOR IF EXISTS jdbc_source;", CONNECTORS),
    ("PRINT 'clicks' FROM BEGINNING LIMIT 1;", "ok"),
    ("PRINT clicks FROM BEGINNING INTERVAL 1 LIMIT 1;", "ok"),
    ("EXPLAIN CSAS_LONG_CLICKS_0;", "ok"),
    ("EXPLAIN SELECT * FROM clicks EMIT CHANGES;", "ok"),
    ("SET 'auto.offset.reset'='earliest';", "ok"), ("UNSET 'auto.offset.reset';", "ok"),
    ("ALTER SYSTEM 'ksql.streams.commit.interval.ms'='1000';", "ok"),
    ("DEFINE env = 'dev';", "ok"), ("UNDEFINE env;", "ok"),
    ("ALTER STREAM clicks ADD COLUMN referrer VARCHAR;", "ok"),
    ("ASSERT TOPIC clicks WITH (partitions=1) TIMEOUT 1 SECONDS;", "ok"),
    ("ASSERT NOT EXISTS TOPIC nowhere;", "ok"),
    ("ASSERT SCHEMA SUBJECT 'clicks-value' ID 1 TIMEOUT 1 MILLISECOND;",
     "Schema with subject name clicks-value id 1 does not exist"),
    ("ASSERT NOT EXISTS SCHEMA ID 7 TIMEOUT 1 MILLISECOND;", "ok"),
    ("PAUSE CSAS_LONG_CLICKS_0;", "ok"), ("RESUME CSAS_LONG_CLICKS_0;", "ok"),
    ("PAUSE ALL;", "ok"), ("RESUME ALL;", "ok"),
    ("RUN SCRIPT '{script}';", "ok"),
    ("TERMINATE INSERTQUERY_2;", "ok"),
    ("DROP TABLE clicks_per_user;", "ok"),
    ("TERMINATE ALL;", "ok"),
    ("DROP STREAM IF EXISTS long_clicks DELETE TOPIC;", "ok"),
    ("DROP TYPE address;", "ok"), ("DROP TYPE IF EXISTS address;", "ok"),
    ("DROP TABLE users_view;", "ok"),
]


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    from ksql_magic import Engine
    script = tmp_path_factory.mktemp("run") / "script.sql"
    script.write_text("SHOW STREAMS;\n")
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    outcomes = []
    for sql, _ in FORMS:
        sql = sql.format(script=script)
        try:
            engine.execute(sql)
            outcomes.append("ok")
        except KsqlSyntaxError as e:
            outcomes.append("SYNTAX: %s" % e)
        except KsqlError as e:
            outcomes.append(str(e))
    engine.close()
    return outcomes


@pytest.mark.parametrize("i", range(len(FORMS)), ids=[f[0][:50] for f in FORMS])
def test_statement_form_runs_or_is_refused_clearly(walked, i):
    sql, expected = FORMS[i]
    outcome = walked[i]
    assert not outcome.startswith("SYNTAX"), outcome
    if expected == "ok":
        assert outcome == "ok", outcome
    else:
        assert expected in outcome, outcome
