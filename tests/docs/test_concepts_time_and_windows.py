"""https://docs.ksqldb.io/en/latest/concepts/time-and-windows-in-ksqldb-queries/

Hopping windows overlap (a record counts in size/advance windows), tumbling windows hold a
record exactly once ([start, end)), session windows run from their first to their last
record, a grace period admits late records and drops later ones, and RETENTION keeps
windows for pull queries."""

import json

from conftest import pull_rows, push_rows

S = 1000


def _views(engine, *events):
    """pageviews(regionid KEY, gender) records at the given (region, gender, seconds)."""
    engine.execute("CREATE STREAM pageviews (regionid VARCHAR KEY, gender VARCHAR) "
                   "WITH (kafka_topic='pageviews', partitions=1, value_format='json');")
    for region, gender, sec in events:
        engine.produce("pageviews", json.dumps({"GENDER": gender}), key=region, timestamp=sec * S)


def test_hopping_window_counts_a_record_in_every_window_containing_it(engine):
    _views(engine, ("Region_6", "FEMALE", 25))
    rows = push_rows(engine, "SELECT regionid, WINDOWSTART, WINDOWEND, COUNT(*) AS n FROM pageviews "
                             "WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) "
                             "WHERE UCASE(gender)='FEMALE' AND LCASE(regionid) LIKE '%_6' "
                             "GROUP BY regionid EMIT CHANGES;", 3)
    assert sorted(rows) == [["Region_6", 0, 30 * S, 1], ["Region_6", 10 * S, 40 * S, 1],
                            ["Region_6", 20 * S, 50 * S, 1]]


def test_tumbling_window_end_is_exclusive(engine):
    engine.execute("CREATE STREAM authorization_attempts (card_number VARCHAR KEY, amount DOUBLE) "
                   "WITH (kafka_topic='attempts', partitions=1, value_format='json');")
    for ms in (0, 1000, 2000, 4999, 5000):
        engine.produce("attempts", '{"AMOUNT": 1.0}', key="4000-0001", timestamp=ms)
    rows = push_rows(engine, "SELECT card_number, WINDOWSTART, COUNT(*) AS attempts "
                             "FROM authorization_attempts WINDOW TUMBLING (SIZE 5 SECONDS) "
                             "GROUP BY card_number HAVING COUNT(*) > 3 EMIT CHANGES;", 1)
    assert rows == [["4000-0001", 0, 4]]


def test_session_window_spans_first_to_last_record(engine):
    _views(engine, ("r1", "F", 0), ("r1", "F", 40), ("r1", "F", 70), ("r1", "F", 200))
    engine.execute("CREATE TABLE sessions AS SELECT regionid, COUNT(*) AS n FROM pageviews "
                   "WINDOW SESSION (60 SECONDS) GROUP BY regionid EMIT CHANGES;")
    engine.drain()
    rows = pull_rows(engine, "SELECT regionid, WINDOWSTART, WINDOWEND, n FROM sessions "
                             "WHERE regionid = 'r1';")
    assert rows == [["r1", 0, 70 * S, 3], ["r1", 200 * S, 200 * S, 1]]


def test_grace_period_admits_late_records_and_drops_later_ones(engine):
    engine.execute("CREATE STREAM orders (zip VARCHAR KEY, total DOUBLE) "
                   "WITH (kafka_topic='orders', partitions=1, value_format='json');"
                   "CREATE TABLE top_orders AS SELECT zip, COUNT(*) AS n FROM orders "
                   "WINDOW TUMBLING (SIZE 1 HOUR, GRACE PERIOD 2 HOURS) GROUP BY zip EMIT CHANGES;")
    h = 3600 * S
    for ts in (10, int(2.5 * h), 20, int(3.5 * h), 30):   # 20: within grace; 30: too late
        engine.produce("orders", '{"TOTAL": 5.0}', key="94107", timestamp=ts)
    engine.drain()
    rows = pull_rows(engine, "SELECT WINDOWSTART, n FROM top_orders WHERE zip = '94107';")
    assert rows == [[0, 2], [2 * h, 1], [3 * h, 1]]


def test_retention_keeps_old_windows_for_pull_queries(engine):
    _views(engine, ("Region_6", "FEMALE", 5), ("Region_6", "FEMALE", 4000))
    engine.execute("CREATE TABLE pageviews_per_region AS SELECT regionid, COUNT(*) AS n FROM pageviews "
                   "WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS, RETENTION 7 DAYS, "
                   "GRACE PERIOD 30 MINUTES) GROUP BY regionid EMIT CHANGES;")
    engine.drain()
    starts = [r[0] for r in pull_rows(engine, "SELECT WINDOWSTART FROM pageviews_per_region "
                                              "WHERE regionid = 'Region_6';")]
    assert starts == [0, 3980 * S, 3990 * S, 4000 * S]      # windows start at 0, never before


def _final_counts(engine, retention: str):
    engine.execute("CREATE STREAM taps (card VARCHAR KEY, amount INT) WITH (kafka_topic='taps', "
                   "partitions=1, value_format='json');"
                   "CREATE TABLE final_counts AS SELECT card, COUNT(*) AS n FROM taps "
                   "WINDOW TUMBLING (SIZE 5 MINUTES%s, GRACE PERIOD 1 MINUTE) GROUP BY card "
                   "EMIT FINAL;" % retention)
    noon = 12 * 3600 * S
    for minutes in (0, 5.5, 4, 30):
        engine.produce("taps", '{"AMOUNT": 1}', key="c1", timestamp=noon + int(minutes * 60 * S))
    engine.drain()
    return [(r.window, r.value) for r in engine.records("FINAL_COUNTS")]


def test_emit_final_with_retention_emits_each_closed_window(engine):
    noon = 12 * 3600 * S
    assert _final_counts(engine, ", RETENTION 1 DAY") == [
        ((noon, noon + 300 * S), b'{"N":2}'), ((noon + 300 * S, noon + 600 * S), b'{"N":1}')]


def test_emit_final_without_retention_keeps_windows_for_size_plus_grace_only(engine):
    """ksqlDB's code, not a lost result: EMIT FINAL is Kafka Streams' emit-on-window-close,
    whose store keeps size + grace (6 minutes) when no RETENTION is given and fetches closed
    windows only within that span of the newest window start (12:30). Both windows started
    more than 6 minutes before 12:30, so none is emitted (conformance: suppress.json)."""
    assert _final_counts(engine, "") == []
