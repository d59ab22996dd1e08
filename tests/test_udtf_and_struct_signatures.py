"""Python table functions (UDTFs) beside UDFs and UDAFs, and SQL type text such as
'STRUCT<C BIGINT>' in Python function signatures."""

import pytest

import ksql_magic
from ksql_magic import Engine


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE STREAM lines (id INT KEY, text VARCHAR) WITH (kafka_topic='lines', "
              "partitions=1, value_format='json');"
              "INSERT INTO lines (id, text) VALUES (1, 'to be or');")
    yield e
    e.close()


def test_engine_udtf_explodes_one_row_per_element(engine):
    engine.register_udtf("words", lambda s: s.split(), ["STRING"], "STRING")
    h = engine.execute("SELECT id, words(text) AS word FROM lines EMIT CHANGES;")[0].handle
    h.wait(rows=3, timeout=5)
    assert [(r["ID"], r["WORD"]) for r in h.rows] == [(1, "to"), (1, "be"), (1, "or")]


def test_udtf_decorator_reaches_new_engines_and_is_listed():
    @ksql_magic.udtf("char_codes", ["STRING"], "INTEGER")
    def char_codes(s):
        return None if s is None else [ord(c) for c in s]
    e = Engine(properties={"auto.offset.reset": "earliest"})
    try:
        assert ["CHAR_CODES", "TABLE"] in e.execute("SHOW FUNCTIONS;")[0].rows
        e.execute("CREATE STREAM s (id INT KEY, t VARCHAR) WITH (kafka_topic='s', partitions=1, "
                  "value_format='json'); INSERT INTO s (id, t) VALUES (1, 'ab');")
        h = e.execute("SELECT char_codes(t) AS c FROM s EMIT CHANGES;")[0].handle
        h.wait(rows=2, timeout=5)
        assert [r["C"] for r in h.rows] == [97, 98]
    finally:
        e.close()


def test_udtf_returning_nothing_emits_no_rows(engine):
    engine.register_udtf("nothing", lambda s: None, ["STRING"], "STRING")
    engine.execute("CREATE STREAM none_out AS SELECT id, nothing(text) AS n FROM lines;")
    engine.drain()
    assert engine.records("NONE_OUT") == []


def test_struct_type_text_in_a_udf_signature(engine):
    engine.register_udf("wrap_len", lambda s: {"C": len(s)}, ["STRING"], "STRUCT<C BIGINT>")
    h = engine.execute("SELECT wrap_len(text)->C AS n FROM lines EMIT CHANGES;")[0].handle
    h.wait(rows=1, timeout=5)
    assert h.rows == [{"N": 8}]
    assert engine.execute("DESCRIBE FUNCTION wrap_len;")[0].rows[0][1] == "STRUCT<`C` BIGINT>"
