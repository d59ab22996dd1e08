"""Engine.watch and Engine.terminate take names and ids, never SQL text: a name with a
backtick or a semicolon is one source, an id is one query id, and exactly one statement runs."""

import json

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ksql_magic import Engine
from ksql_magic.errors import KsqlStatementError

ODD = "we`ird; DROP STREAM keep"


def _engine():
    e = Engine({"auto.offset.reset": "latest"})
    e.execute("CREATE STREAM `we``ird; DROP STREAM keep` (id INT KEY, v INT) "
              "WITH (kafka_topic='odd', value_format='JSON', partitions=1);"
              "CREATE STREAM keep (v INT) WITH (kafka_topic='keep', value_format='JSON', partitions=1);")
    e.produce("odd", json.dumps({"v": 1}), key=b"\x00\x00\x00\x01", timestamp=1)
    return e


def test_a_name_with_backtick_and_semicolon_is_watched_as_one_source():
    e = _engine()
    handle = e.watch(ODD)
    e.drain()
    assert [r["V"] for r in handle.rows] == [1]
    assert list(e.queries) == [handle.query_id]
    assert "KEEP" in e.catalog.sources
    assert e.queries[handle.query_id].sql == "SELECT * FROM `we``ird; DROP STREAM keep` EMIT CHANGES;"


def test_watch_leaves_auto_offset_reset_alone_and_can_start_at_the_end():
    e = _engine()
    handle = e.watch(ODD, from_beginning=False)
    e.produce("odd", json.dumps({"v": 2}), key=b"\x00\x00\x00\x02", timestamp=2)
    e.drain()
    assert [r["V"] for r in handle.rows] == [2]
    assert e.properties["auto.offset.reset"] == "latest"


def test_terminate_takes_the_id_of_a_watch_on_an_odd_name():
    e = _engine()
    handle = e.watch(ODD)
    result = e.terminate(handle.query_id)
    assert result.message == "Query terminated." and not e.queries


def test_an_id_holding_sql_is_an_unknown_query_not_a_second_statement():
    e = _engine()
    with pytest.raises(KsqlStatementError, match="Unknown queryId"):
        e.terminate("X; DROP STREAM keep")
    assert "KEEP" in e.catalog.sources


def test_magic_stop_of_an_unknown_target_runs_no_other_statement():
    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext ksql_magic")
    magic = ip.magics_manager.registry["KsqlMagic"]
    e = _engine()
    magic.use_engine(e)
    try:
        with capture_output() as out:
            ip.run_cell("%ksql stop X; DROP STREAM keep")
    finally:
        magic.shutdown()
    shown = out.stdout + out.stderr + "".join(str(o.data) for o in out.outputs)
    assert "no query named X; DROP STREAM keep" in shown
    assert "KEEP" in e.catalog.sources


def test_processing_log_stream_of_a_service_id_with_a_quote_is_refused_as_one_topic_name():
    e = Engine({"ksql.service.id": "it's_"})
    with pytest.raises(KsqlStatementError, match="it's_ksql_processing_log\" is illegal"):
        e.processing_log.declare_stream()
    assert "KSQL_PROCESSING_LOG" not in e.catalog.sources
