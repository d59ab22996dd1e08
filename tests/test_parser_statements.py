"""Statement parsing: each statement kind to its tree, including the 2018 talk's forms."""

import pytest

from ksql_magic import types
from ksql_magic.sql import ast
from ksql_magic.sql.format import format_expression
from ksql_magic.sql.parser import parse_statement, split_statements


def col(name, source=None):
    return ast.ColumnRef(name, source)


def q(text):
    return parse_statement(text).query


def test_create_stream_with_columns_and_properties():
    s = parse_statement("CREATE STREAM pageviews (viewtime BIGINT, user_id VARCHAR KEY, "
                        "page STRING) WITH (kafka_topic='pv', value_format='JSON', "
                        "partitions=4, wrap_single_value=false);")
    assert s == ast.CreateSource("STREAM", "PAGEVIEWS", (
        ast.ColumnDef("VIEWTIME", types.BIGINT),
        ast.ColumnDef("USER_ID", types.STRING, key=True),
        ast.ColumnDef("PAGE", types.STRING)), (
        ast.Property("KAFKA_TOPIC", "pv"), ast.Property("VALUE_FORMAT", "JSON"),
        ast.Property("PARTITIONS", 4), ast.Property("WRAP_SINGLE_VALUE", False)))


def test_create_table_or_replace_source_if_not_exists_primary_key():
    s = parse_statement("CREATE OR REPLACE SOURCE TABLE IF NOT EXISTS users "
                        "(id INT PRIMARY KEY, h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, "
                        "k BYTES HEADER('trace')) WITH (kafka_topic='u', format='JSON')")
    assert (s.kind, s.name, s.or_replace, s.source, s.if_not_exists) == (
        "TABLE", "USERS", True, True, True)
    assert s.columns[0].primary_key and s.columns[1].headers
    assert s.columns[2].header_key == "trace"


def test_create_without_columns_is_allowed():
    s = parse_statement("CREATE STREAM s WITH (kafka_topic='t', value_format='AVRO')")
    assert s.columns == () and s.properties[1].value == "AVRO"


def test_create_as_select_with_properties_talk_form():
    s = parse_statement("""CREATE STREAM clicks_by_user_id
      WITH (PARTITIONS=6, TIMESTAMP='view_time', VALUE_FORMAT='JSON') AS
      SELECT * FROM clickstream
      PARTITION BY user_id;""")
    assert isinstance(s, ast.CreateAsSelect) and s.kind == "STREAM"
    assert [p.name for p in s.properties] == ["PARTITIONS", "TIMESTAMP", "VALUE_FORMAT"]
    assert s.query.items == (ast.AllColumns(),)
    assert s.query.partition_by == (col("USER_ID"),) and s.query.emit is None


def test_full_outer_join_within_talk_form():
    s = parse_statement("""CREATE STREAM late_orders AS
      SELECT o.orderid, o.itemid FROM orders o
      FULL OUTER JOIN shipments s WITHIN 2 HOURS ON s.orderid = o.orderid
      WHERE s.orderid IS NULL;""")
    j = s.query.from_
    assert j.kind == "FULL" and j.within == ast.WithinSpec(7_200_000, 7_200_000)
    assert j.left == ast.SourceRef("ORDERS", "O") and j.right == ast.SourceRef("SHIPMENTS", "S")


def test_n_way_join_nests_left_with_kinds_and_aliases():
    sel = q("SELECT * FROM a AS x JOIN b y ON x.id = y.id LEFT OUTER JOIN c ON y.id = c.id "
            "RIGHT JOIN d WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 5 SECONDS ON c.k = d.k "
            "INNER JOIN e ON e.k = d.k EMIT CHANGES")
    j = sel.from_
    assert j.kind == "INNER" and j.right == ast.SourceRef("E")
    assert j.left.kind == "RIGHT" and j.left.within == ast.WithinSpec(1000, 120_000, 5000)
    assert j.left.left.kind == "LEFT"
    assert j.left.left.left.kind == "INNER" and j.left.left.left.left == ast.SourceRef("A", "X")


@pytest.mark.parametrize("window, spec", [
    ("TUMBLING (SIZE 5 MINUTE)", ast.WindowSpec("TUMBLING", 300_000)),
    ("TUMBLING (SIZE 1 DAY, RETENTION 7 DAYS, GRACE PERIOD 10 MINUTES)",
     ast.WindowSpec("TUMBLING", 86_400_000, retention=604_800_000, grace=600_000)),
    ("TUMBLING (SIZE 500 MILLISECONDS, GRACE PERIOD 0 SECONDS)",
     ast.WindowSpec("TUMBLING", 500, grace=0)),
    ("HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS)",
     ast.WindowSpec("HOPPING", 30_000, advance=10_000)),
    ("HOPPING (SIZE 1 HOUR, ADVANCE BY 1 MINUTE, RETENTION 2 HOURS)",
     ast.WindowSpec("HOPPING", 3_600_000, advance=60_000, retention=7_200_000)),
    ("SESSION (60 SECONDS)", ast.WindowSpec("SESSION", 60_000)),
    ("SESSION (1 MILLISECOND, GRACE PERIOD 1 HOUR)",
     ast.WindowSpec("SESSION", 1, grace=3_600_000)),
    ("w TUMBLING (SIZE 1 SECOND)", ast.WindowSpec("TUMBLING", 1000)),
])
def test_window_clauses_in_milliseconds(window, spec):
    sel = q("SELECT k, COUNT(*) FROM s WINDOW %s GROUP BY k EMIT CHANGES" % window)
    assert sel.window == spec


def test_clause_order_and_fields():
    sel = q("SELECT k, SUM(v) AS total FROM s WINDOW TUMBLING (SIZE 1 MINUTE) WHERE v > 0 "
            "GROUP BY k HAVING SUM(v) > 10 EMIT FINAL LIMIT 5")
    assert sel.where == ast.BinaryOp(">", col("V"), ast.Literal(0, types.INTEGER))
    assert sel.group_by == (col("K"),) and sel.emit == "FINAL" and sel.limit == 5
    assert sel.items[1].alias == "TOTAL"
    assert format_expression(sel.having) == "(SUM(V) > 10)"


def test_group_by_forms():
    assert q("SELECT 1 FROM s GROUP BY a, b + 1").group_by == (
        col("A"), ast.BinaryOp("+", col("B"), ast.Literal(1, types.INTEGER)))
    assert q("SELECT 1 FROM s GROUP BY (a, b)").group_by == (col("A"), col("B"))
    assert q("SELECT 1 FROM s GROUP BY (a + 1) * 2").group_by[0].op == "*"
    assert q("SELECT 1 FROM s GROUP BY (a)").group_by == (col("A"),)
    assert q("SELECT 1 FROM s PARTITION BY a, b").partition_by == (col("A"), col("B"))


def test_select_items_aliases_and_stars():
    sel = q("SELECT *, s.*, a b, c AS `Mixed`, d->*, e->f FROM s")
    assert sel.items[0] == ast.AllColumns()
    assert sel.items[1] == ast.AllColumns("S")
    assert sel.items[2] == ast.SelectItem(col("A"), "B")
    assert sel.items[3].alias == "Mixed"
    assert sel.items[4] == ast.StructAll(col("D"))
    assert sel.items[5] == ast.SelectItem(ast.Dereference(col("E"), "F"))


def test_select_without_emit_is_left_to_the_engine():
    sel = q("SELECT page, user_id FROM clickstream WHERE user_agent LIKE 'Mozilla/5.0%'")
    assert sel.emit is None and isinstance(sel.where, ast.Like)


def test_insert_into_select_and_values():
    s = parse_statement("INSERT INTO all_sales WITH (QUERY_ID='q1') SELECT itemId, price FROM sales_online")
    assert s == ast.InsertInto("ALL_SALES", s.query, (ast.Property("QUERY_ID", "q1"),))
    s = parse_statement("INSERT INTO t (id, `v`) VALUES (1, 'x');")
    assert s.columns == ("ID", "v") and s.values[1] == ast.Literal("x", types.STRING)
    s = parse_statement("INSERT INTO t VALUES (-1.5, ARRAY[1], NULL)")
    assert s.columns == () and len(s.values) == 3


@pytest.mark.parametrize("text, expected", [
    ("SHOW TOPICS", ast.Show("TOPICS")),
    ("LIST TOPICS EXTENDED", ast.Show("TOPICS", extended=True)),
    ("SHOW ALL TOPICS", ast.Show("TOPICS", all_=True)),
    ("SHOW STREAMS EXTENDED;", ast.Show("STREAMS", extended=True)),
    ("show tables", ast.Show("TABLES")),
    ("SHOW QUERIES EXTENDED", ast.Show("QUERIES", extended=True)),
    ("SHOW PROPERTIES", ast.Show("PROPERTIES")),
    ("SHOW FUNCTIONS", ast.Show("FUNCTIONS")),
    ("SHOW VARIABLES", ast.Show("VARIABLES")),
    ("LIST TYPES", ast.Show("TYPES")),
    ("DESCRIBE pageviews", ast.Describe("PAGEVIEWS")),
    ("DESCRIBE EXTENDED pv", ast.Describe("PV", extended=True)),
    ("DESCRIBE extended", ast.Describe("EXTENDED")),
    ("DESCRIBE pv EXTENDED", ast.Describe("PV", extended=True)),
    ("DESCRIBE STREAMS", ast.Describe(None, what="STREAMS")),
    ("DESCRIBE TABLES EXTENDED;", ast.Describe(None, extended=True, what="TABLES")),
    ("DESCRIBE FUNCTION substring", ast.DescribeFunction("SUBSTRING")),
    ("PRINT 'my-topic' FROM BEGINNING", ast.Print("my-topic", from_beginning=True)),
    ("PRINT myTopic INTERVAL 2 LIMIT 10", ast.Print("myTopic", interval=2, limit=10)),
    ("PRINT `Quoted` SAMPLE 3", ast.Print("Quoted", interval=3)),
    ("TERMINATE CSAS_OUT_0", ast.Terminate("CSAS_OUT_0")),
    ("TERMINATE ALL", ast.Terminate(None)),
    ("DROP STREAM s", ast.Drop("STREAM", "S")),
    ("DROP TABLE IF EXISTS t DELETE TOPIC", ast.Drop("TABLE", "T", True, True)),
    ("DROP TYPE IF EXISTS address", ast.Drop("TYPE", "ADDRESS", True)),
    ("EXPLAIN CSAS_X_1", ast.Explain(query_id="CSAS_X_1")),
    ("SET 'auto.offset.reset'='earliest'", ast.SetProperty("auto.offset.reset", "earliest")),
    ("UNSET 'auto.offset.reset'", ast.UnsetProperty("auto.offset.reset")),
    ("DEFINE format = 'JSON'", ast.Define("format", "JSON")),
    ("DEFINE topicName = '''t'''", ast.Define("topicName", "'t'")),
    ("UNDEFINE format", ast.Undefine("format")),
    ("CREATE TYPE address AS STRUCT<street STRING, zip INT>", ast.CreateType(
        "ADDRESS", types.struct([("STREET", types.STRING), ("ZIP", types.INTEGER)]))),
    ("CREATE TYPE IF NOT EXISTS ids AS ARRAY<BIGINT>",
     ast.CreateType("IDS", types.array(types.BIGINT), True)),
    ("ALTER STREAM s ADD COLUMN c INT, ADD d STRING", ast.AlterSource("STREAM", "S", (
        ast.ColumnDef("C", types.INTEGER), ast.ColumnDef("D", types.STRING)))),
])
def test_catalogue_and_session_statements(text, expected):
    assert parse_statement(text) == expected


def test_explain_statement():
    s = parse_statement("EXPLAIN SELECT * FROM s EMIT CHANGES;")
    assert isinstance(s.statement, ast.QueryStatement) and s.query_id is None


def test_statement_text_and_positions_relative_to_original():
    s = parse_statement("SELECT a,\n  b FROM s;", line=4, column=7)
    assert s.text == "SELECT a,\n  b FROM s;"
    assert (s.pos.line, s.pos.column) == (4, 7)
    b = s.query.items[1]
    assert (b.pos.line, b.pos.column) == (5, 3)


def test_split_statements_then_parse_keeps_original_positions():
    text = "SHOW TOPICS;\n\n  SELECT x\n  FROM s; -- done"
    pieces = split_statements(text)
    s = parse_statement(pieces[1].text, pieces[1].line, pieces[1].column)
    assert (s.pos.line, s.pos.column) == (3, 3)
    assert (s.query.from_.pos.line, s.query.from_.pos.column) == (4, 8)


def test_comments_ignored_inside_statements():
    s = parse_statement("SELECT /* all */ * -- everything\nFROM s")
    assert s.query.items == (ast.AllColumns(),)


def test_user_defined_function_call_talk_form():
    sel = q("SELECT event_id, anomaly(SENSORINPUT) FROM health_sensor;")
    assert sel.items[1].expr == ast.FunctionCall("ANOMALY", (col("SENSORINPUT"),))
