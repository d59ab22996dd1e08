"""Translation to Flink SQL without a cluster: what is generated, and what is refused.

Every refused construct must raise KsqlStatementError naming it and pointing at the in-kernel
engine, before anything reaches Flink.
"""

from __future__ import annotations

import pytest

from ksql_magic import types as T
from ksql_magic.errors import KsqlStatementError
from ksql_magic.flink import FlinkSource, translate
from ksql_magic.sql.parser import parse_statement


def catalog() -> dict[str, FlinkSource]:
    s = T.STRING
    return {
        "ATT": FlinkSource("ATT", "STREAM", "att", (
            ("CARD_NUMBER", s, True), ("AMOUNT", T.INTEGER, False),
            ("TAGS", T.array(s), False), ("MERCHANT", T.struct([("NAME", s)]), False))),
        "USERS": FlinkSource("USERS", "TABLE", "users", (
            ("USER_ID", s, True), ("COUNTRY", s, False), ("LEVEL", s, False))),
        "USERS2": FlinkSource("USERS2", "TABLE", "users2", (
            ("USER_ID", s, True), ("NAME", s, False))),
        "PAY": FlinkSource("PAY", "STREAM", "pay", (
            ("PAYMENT_ID", T.INTEGER, False), ("USER_ID", s, False), ("TOTAL", T.DOUBLE, False))),
        "SHIP": FlinkSource("SHIP", "STREAM", "ship", (
            ("ORDERID", T.INTEGER, False), ("WAREHOUSE", s, False))),
        "CLICKS": FlinkSource("CLICKS", "STREAM", "clicks", (
            ("USER_ID", s, False), ("PAGE", s, False), ("VIEW_TIME", T.BIGINT, False)),
            timestamp_column="VIEW_TIME"),
        "DELIM": FlinkSource("DELIM", "STREAM", "delim", (("A", s, False),),
                             value_format="DELIMITED"),
        "WIN": FlinkSource("WIN", "TABLE", "win", (("K", s, True), ("N", T.BIGINT, False)),
                           windowed=True),
        "TSCOL": FlinkSource("TSCOL", "STREAM", "tscol", (("K", s, True), ("TS", T.TIMESTAMP,
                                                                            False))),
        "JKEY": FlinkSource("JKEY", "STREAM", "jkey", (("K", s, True), ("V", s, False)),
                            key_format="JSON"),
        "IKEY": FlinkSource("IKEY", "STREAM", "ikey", (("K", T.INTEGER, True), ("V", s, False))),
    }


def plan(sql: str):
    return translate(parse_statement(sql), catalog())


def test_possible_fraud_uses_a_tumble_tvf_with_window_bounds_as_value_columns():
    p = plan("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) FROM att "
             "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number HAVING COUNT(*) > 3;")
    insert = p.statements[-1]
    assert "TUMBLE(TABLE `ATT`, DESCRIPTOR(`ROWTIME`), INTERVAL '0 00:05:00.000'" in insert
    assert "HAVING (COUNT(*) > 3)" in insert
    assert [c[0] for c in p.sink.columns] == ["CARD_NUMBER", "KSQL_COL_0", "WINDOW_START",
                                              "WINDOW_END"]
    assert not p.upsert and "'key.fields' = 'CARD_NUMBER'" in p.statements[-2]


def test_settings_pin_utc_and_parallelism_one():
    p = plan("CREATE STREAM s AS SELECT * FROM att;")
    assert "SET 'table.local-time-zone' = 'UTC'" in p.statements
    assert "SET 'parallelism.default' = '1'" in p.statements


def test_grace_period_becomes_the_watermark_delay():
    p = plan("CREATE TABLE t AS SELECT card_number, COUNT(*) FROM att WINDOW TUMBLING "
             "(SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS) GROUP BY card_number;")
    assert "`ROWTIME` - INTERVAL '0 00:00:10.000'" in p.statements[-3]


def test_timestamp_property_column_becomes_rowtime():
    p = plan("CREATE STREAM c2 AS SELECT user_id, page FROM clicks;")
    assert "`ROWTIME` AS TO_TIMESTAMP_LTZ(`VIEW_TIME`, 3)" in p.sql


def test_hopping_window_is_a_hop_tvf():
    p = plan("CREATE TABLE h AS SELECT card_number, COUNT(*) FROM att WINDOW HOPPING "
             "(SIZE 10 MINUTES, ADVANCE BY 5 MINUTES) GROUP BY card_number;")
    assert "HOP(TABLE `ATT`" in p.statements[-1]


def test_session_window_partitions_by_the_group_key_and_ends_at_the_last_event():
    p = plan("CREATE TABLE s AS SELECT card_number, COUNT(*) FROM att WINDOW SESSION "
             "(30 SECONDS) GROUP BY card_number;")
    assert "SESSION(TABLE `ATT` PARTITION BY `CARD_NUMBER`" in p.statements[-1]
    assert "- 30000" in p.statements[-1]


def test_stream_table_join_is_an_event_time_temporal_join():
    p = plan("CREATE STREAM e AS SELECT payment_id, u.country, total FROM pay p "
             "LEFT JOIN users u ON p.user_id = u.user_id;")
    assert "LEFT JOIN `USERS` FOR SYSTEM_TIME AS OF `P`.`ROWTIME` AS `U`" in p.statements[-1]
    assert "'connector' = 'upsert-kafka'" in p.sql and "PRIMARY KEY (`USER_ID`)" in p.sql


def test_stream_stream_within_join_is_an_interval_join():
    p = plan("CREATE STREAM j AS SELECT p.payment_id, s.warehouse FROM pay p "
             "FULL OUTER JOIN ship s WITHIN 2 HOURS ON s.orderid = p.payment_id;")
    assert "FULL OUTER JOIN `SHIP` AS `S`" in p.statements[-1]
    assert "BETWEEN `P`.`ROWTIME` - INTERVAL '0 02:00:00.000'" in p.statements[-1]


def test_partition_by_makes_the_new_key():
    p = plan("CREATE STREAM by_user WITH (PARTITIONS=6) AS SELECT * FROM clicks "
             "PARTITION BY user_id;")
    assert p.sink.key_columns == ["USER_ID"] and p.sink.partitions == 6
    assert "'sink.partitioner' = 'default'" in p.sql


def test_unwindowed_aggregation_writes_an_upsert_table():
    p = plan("CREATE TABLE totals AS SELECT card_number, SUM(amount) AS total FROM att "
             "GROUP BY card_number;")
    assert p.upsert and "PRIMARY KEY (`CARD_NUMBER`)" in p.statements[-2]


def test_integer_kafka_key_is_a_raw_key():
    p = plan("CREATE STREAM k2 AS SELECT k, v FROM ikey;")
    assert "'key.format' = 'raw'" in p.statements[-2]


UNTRANSLATABLE = {
    "pull_query": ("SELECT * FROM users WHERE user_id = 'a';", "transient query"),
    "push_query": ("SELECT * FROM att EMIT CHANGES;", "transient query"),
    "insert_values": ("INSERT INTO att (card_number, amount) VALUES ('a', 1);", "VALUES"),
    "topk": ("CREATE TABLE t AS SELECT card_number, TOPK(amount, 2) FROM att "
             "GROUP BY card_number;", "TOPK"),
    "topkdistinct": ("CREATE TABLE t AS SELECT card_number, TOPKDISTINCT(amount, 2) FROM att "
                     "GROUP BY card_number;", "TOPKDISTINCT"),
    "histogram": ("CREATE TABLE t AS SELECT card_number, HISTOGRAM(amount) FROM att "
                  "GROUP BY card_number;", "HISTOGRAM"),
    "collect_list": ("CREATE TABLE t AS SELECT card_number, COLLECT_LIST(amount) FROM att "
                     "GROUP BY card_number;", "COLLECT_LIST"),
    "collect_set": ("CREATE TABLE t AS SELECT card_number, COLLECT_SET(amount) FROM att "
                    "GROUP BY card_number;", "COLLECT_SET"),
    "latest_by_offset": ("CREATE TABLE t AS SELECT card_number, LATEST_BY_OFFSET(amount) "
                         "FROM att GROUP BY card_number;", "LATEST_BY_OFFSET"),
    "lambda": ("CREATE STREAM t AS SELECT card_number, TRANSFORM(tags, x => UCASE(x)) "
               "FROM att;", "TRANSFORM"),
    "udf": ("CREATE STREAM t AS SELECT card_number, anomaly(amount) FROM att;", "ANOMALY"),
    "delimited_values": ("CREATE STREAM t AS SELECT a FROM delim;", "DELIMITED"),
    "right_join_table": ("CREATE STREAM t AS SELECT p.payment_id, u.country FROM pay p "
                         "RIGHT JOIN users u ON p.user_id = u.user_id;", "RIGHT JOIN"),
    "table_table_join": ("CREATE TABLE t AS SELECT u.user_id, u.country, v.name FROM users u "
                         "JOIN users2 v ON u.user_id = v.user_id;", "TABLE-TABLE join"),
    "three_way_join": ("CREATE STREAM t AS SELECT p.payment_id FROM pay p "
                       "JOIN users u ON p.user_id = u.user_id "
                       "JOIN users2 v ON p.user_id = v.user_id;", "more than two"),
    "limit": ("CREATE STREAM t AS SELECT * FROM att LIMIT 5;", "LIMIT"),
    "windowed_source": ("CREATE TABLE t AS SELECT k, n FROM win;", "windowed source"),
    "timestamp_column": ("CREATE STREAM t AS SELECT k, ts FROM tscol;", "TIMESTAMP column"),
    "json_key": ("CREATE STREAM t AS SELECT k, v FROM jkey;", "KEY_FORMAT='JSON'"),
    "multi_column_key": ("CREATE TABLE t AS SELECT card_number, amount, COUNT(*) FROM att "
                         "GROUP BY card_number, amount;", "key of 2 columns"),
    "rowpartition": ("CREATE STREAM t AS SELECT card_number, ROWPARTITION AS p FROM att;",
                     "ROWPARTITION"),
    "negative_index": ("CREATE STREAM t AS SELECT card_number, tags[-1] AS last_tag FROM att;",
                       "negative array index"),
    "uneven_hopping": ("CREATE TABLE t AS SELECT card_number, COUNT(*) FROM att WINDOW "
                       "HOPPING (SIZE 10 MINUTES, ADVANCE BY 3 MINUTES) GROUP BY "
                       "card_number;", "HOPPING"),
    "windowed_join": ("CREATE TABLE t AS SELECT p.user_id, COUNT(*) FROM pay p "
                      "JOIN users u ON p.user_id = u.user_id WINDOW TUMBLING (SIZE 1 MINUTE) "
                      "GROUP BY p.user_id;", "windowed aggregation over a join"),
    "delimited_sink": ("CREATE STREAM t WITH (VALUE_FORMAT='DELIMITED') AS SELECT * FROM att;",
                       "DELIMITED"),
    "partition_by_null": ("CREATE STREAM t AS SELECT * FROM att PARTITION BY NULL;",
                          "PARTITION BY"),
    "round": ("CREATE STREAM t AS SELECT card_number, ROUND(amount) AS r FROM att;", "ROUND"),
    "struct_constructor": ("CREATE STREAM t AS SELECT card_number, STRUCT(a := amount) AS s "
                           "FROM att;", "STRUCT"),
    "star_over_join": ("CREATE STREAM t AS SELECT * FROM pay p LEFT JOIN users u "
                       "ON p.user_id = u.user_id;", "SELECT * over a join"),
}


@pytest.mark.parametrize("case", sorted(UNTRANSLATABLE))
def test_untranslatable_statement_names_the_construct_and_the_kernel_engine(case):
    sql, construct = UNTRANSLATABLE[case]
    with pytest.raises(KsqlStatementError) as info:
        plan(sql)
    message = str(info.value)
    assert construct.lower() in message.lower(), message
    assert "in-kernel engine runs it" in message


def test_quotes_in_names_and_values_stay_inside_their_literals():
    cat = catalog()
    cat["ODD"] = FlinkSource("ODD", "STREAM", "it's", (("K", T.STRING, True), ("V", T.STRING, False)))
    p = translate(parse_statement("CREATE STREAM `o'k``x` AS SELECT * FROM odd;"), cat,
                  query_id="CSAS_O'K_0")
    sql = "\n".join(p.render("host:9092', 'evil' = 'x"))
    assert "SET 'pipeline.name' = 'CSAS_O''K_0'" in sql
    assert "'topic' = 'it''s'" in sql
    assert "'properties.bootstrap.servers' = 'host:9092'', ''evil'' = ''x'" in sql
    assert "INSERT INTO `sink_o'k``x`" in sql
