"""SHOW STREAMS|TABLES|QUERIES EXTENDED add ksqlDB's description columns; EXPLAIN <query id>
prints ksqlDB's sections: sources, sinks, execution plan, internal topics and the Kafka
Streams topology (split at the GROUP BY repartition topic)."""

import pytest

from ksql_magic import Engine


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM visits (id INT KEY, page VARCHAR, ms INT) WITH (kafka_topic='visits', "
              "partitions=1, value_format='json');"
              "CREATE TABLE per_page AS SELECT page, COUNT(*) AS n FROM visits WHERE ms > 0 GROUP BY page;")
    e.produce("visits", '{"PAGE": "/a", "MS": 5}', key=b"\x00\x00\x00\x01")
    e.drain()
    yield e
    e.close()


def _row(result, name):
    return dict(zip(result.columns, next(r for r in result.rows if r[0] == name)))


def test_show_streams_extended_describes_each_stream(engine):
    row = _row(engine.execute("SHOW STREAMS EXTENDED;")[0], "VISITS")
    assert row["Schema"] == "`ID` INTEGER KEY, `PAGE` STRING, `MS` INTEGER"
    assert (row["Partitions"], row["Reading Queries"], row["Writing Queries"]) == (1, "CTAS_PER_PAGE_0", "")


def test_show_tables_extended_names_the_writing_query(engine):
    row = _row(engine.execute("SHOW TABLES EXTENDED;")[0], "PER_PAGE")
    assert row["Writing Queries"] == "CTAS_PER_PAGE_0"
    assert row["Timestamp Field"] == "Not set - using <ROWTIME>"


def test_show_queries_extended_has_runtime_figures(engine):
    row = _row(engine.execute("SHOW QUERIES EXTENDED;")[0], "CTAS_PER_PAGE_0")
    assert (row["Sources"], row["Records In"], row["Records Out"], row["Errors"]) == ("VISITS", 1, 1, 0)


def test_plain_show_queries_keeps_its_columns(engine):
    assert engine.execute("SHOW QUERIES;")[0].columns == [
        "Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"]


def test_explain_query_prints_sources_sinks_and_topology(engine):
    text = engine.execute("EXPLAIN CTAS_PER_PAGE_0;")[0].message
    repartition = "_confluent-ksql-default_query_CTAS_PER_PAGE_0-Aggregate-GroupBy-repartition"
    for part in ("Sources that this query reads from", "VISITS", "Sinks that this query writes to",
                 "Execution plan", "Processing topology", "Sub-topology: 0", "Sub-topology: 1",
                 "Source: KSTREAM-SOURCE-0000000000 (topics: [visits])",
                 "Sink: Aggregate-GroupBy-repartition-sink (topic: %s)" % repartition,
                 "stores: [Aggregate-Aggregate-Materialize]",
                 "_confluent-ksql-default_query_CTAS_PER_PAGE_0-Aggregate-Aggregate-Materialize-changelog"):
        assert part in text


def test_explain_of_a_stateless_query_has_one_sub_topology(engine):
    engine.execute("CREATE STREAM slow AS SELECT * FROM visits WHERE ms > 100;")
    text = engine.execute("EXPLAIN CSAS_SLOW_1;")[0].message
    assert "Sub-topology: 0" in text and "Sub-topology: 1" not in text
    assert "(topic: SLOW)" in text
