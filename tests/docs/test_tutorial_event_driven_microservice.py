"""https://docs.ksqldb.io/en/latest/tutorials/event-driven-microservice/

Card transactions with a text event time (TIMESTAMP_FORMAT 'yyyy-MM-dd''T''HH:mm:ss') are
seeded with INSERT VALUES, then a 30-second tumbling window per card finds cards used 3+
times: the push query shows one row per anomalous window, with the key, window bounds,
AS_VALUE copy, LATEST_BY_OFFSET, COUNT, SUM of a DECIMAL and COLLECT_LIST in input order."""

from decimal import Decimal

from conftest import columns_of, push_rows

SEED = [  # (email, card, tx, time, amount)
    ("ana@example.com", "4000111122223333", "tx-a1", "2022-06-01T10:00:05", "19.99"),
    ("ben@example.com", "4000555566667777", "tx-b1", "2022-06-01T11:30:10", "5.00"),
    ("cy@example.com", "4000999988887777", "tx-c1", "2022-06-01T12:00:01", "70.00"),
    ("ana@example.com", "4000111122223333", "tx-a2", "2022-06-01T10:00:21", "250.00"),
    ("ben@example.com", "4000555566667777", "tx-b2", "2022-06-01T11:30:55", "8.10"),
    ("cy@example.com", "4000999988887777", "tx-c2", "2022-06-01T12:00:45", "12.00"),
    ("ana@example.com", "4000111122223333", "tx-a3", "2022-06-01T10:00:02", "3.51"),
    ("cy@example.com", "4000999988887777", "tx-c3", "2022-06-01T12:01:10", "1.00"),
    ("ben@example.com", "4000555566667777", "tx-b3", "2022-06-01T11:29:40", "9.90"),
]


def _seed(engine):
    engine.execute("""
        CREATE STREAM transactions (tx_id VARCHAR KEY, email_address VARCHAR, card_number VARCHAR,
          timestamp VARCHAR, amount DECIMAL(12, 2))
        WITH (kafka_topic='transactions', partitions=8, value_format='json',
              timestamp='timestamp', timestamp_format='yyyy-MM-dd''T''HH:mm:ss');""")
    for email, card, tx, ts, amount in SEED:
        engine.execute("INSERT INTO transactions (email_address, card_number, tx_id, timestamp, amount) "
                       "VALUES ('%s', '%s', '%s', '%s', %s);" % (email, card, tx, ts, amount))
    engine.execute("""
        CREATE TABLE possible_anomalies WITH (kafka_topic='possible_anomalies') AS
          SELECT card_number AS `card_number_key`, as_value(card_number) AS `card_number`,
                 latest_by_offset(email_address) AS `email_address`, count(*) AS `n_attempts`,
                 sum(amount) AS `total_amount`, collect_list(tx_id) AS `tx_ids`,
                 WINDOWSTART as `start_boundary`, WINDOWEND as `end_boundary`
          FROM transactions
          WINDOW TUMBLING (SIZE 30 SECONDS, RETENTION 1000 DAYS)
          GROUP BY card_number HAVING count(*) >= 3 EMIT CHANGES;""")


def test_all_nine_inserts_land_at_their_event_time(engine):
    _seed(engine)
    times = sorted(r.timestamp for r in engine.records("transactions"))
    assert len(times) == 9 and times[0] == 1654077602000          # 2022-06-01T10:00:02Z


def test_the_table_shows_the_one_anomalous_window(engine):
    _seed(engine)
    sql = "SELECT * FROM possible_anomalies EMIT CHANGES;"
    assert columns_of(engine, sql) == ["card_number_key", "WINDOWSTART", "WINDOWEND", "card_number",
                                       "email_address", "n_attempts", "total_amount", "tx_ids",
                                       "start_boundary", "end_boundary"]
    start = 1654077600000                                          # 2022-06-01T10:00:00Z
    assert push_rows(engine, sql, 1) == [[
        "4000111122223333", start, start + 30000, "4000111122223333", "ana@example.com", 3,
        Decimal("273.50"), ["tx-a1", "tx-a2", "tx-a3"], start, start + 30000]]


def test_print_shows_the_windowed_topic(engine):
    _seed(engine)
    engine.drain()
    printed = engine.execute("PRINT 'possible_anomalies' FROM BEGINNING LIMIT 1;")[0].message
    assert "key: [4000111122223333@1654077600000/1654077630000], value: {\"card_number\"" in printed
