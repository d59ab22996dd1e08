"""https://docs.ksqldb.io/en/latest/developer-guide/ksqldb-reference/select-push-query/

ROWTIME bounds as epoch numbers or ISO text (partial text padded with zeros, an offset
honoured), LIMIT ending the query, STRUCT output, the three window kinds with WINDOWSTART /
WINDOWEND, and a three-way stream join with WITHIN ... GRACE PERIOD."""

import json

from conftest import push_rows


def _pageviews(engine):
    engine.execute("CREATE STREAM pageviews (page VARCHAR KEY, v1 INT, v2 VARCHAR) "
                   "WITH (kafka_topic='pageviews', partitions=1, value_format='json');")
    for page, ts in (("/a", 1510923224999), ("/b", 1510923225000), ("/c", 1510923228000),
                     ("/d", 1510923228001)):
        engine.produce("pageviews", json.dumps({"V1": 1, "V2": "x"}), key=page, timestamp=ts)


def test_rowtime_bounds_as_numbers_and_as_iso_text(engine):
    _pageviews(engine)
    numbers = push_rows(engine, "SELECT page FROM pageviews WHERE ROWTIME >= 1510923225000 "
                                "AND ROWTIME <= 1510923228000 EMIT CHANGES;", 2)
    text = push_rows(engine, "SELECT page FROM pageviews WHERE ROWTIME >= '2017-11-17T12:53:45' "
                             "AND ROWTIME <= '2017-11-17T12:53:48' EMIT CHANGES;", 2)
    assert numbers == text == [["/b"], ["/c"]]


def test_partial_and_zoned_datestrings(engine):
    _pageviews(engine)
    assert push_rows(engine, "SELECT page FROM pageviews WHERE ROWTIME >= '2017-11-17T12:53:48' "
                             "EMIT CHANGES;", 2) == [["/c"], ["/d"]]
    assert push_rows(engine, "SELECT page FROM pageviews WHERE ROWTIME = '2017-11-17T09:23:48-0330' "
                             "EMIT CHANGES;", 1) == [["/c"]]


def test_limit_ends_the_query(engine):
    _pageviews(engine)
    result = engine.execute("SELECT * FROM pageviews EMIT CHANGES LIMIT 3;")[0]
    result.handle.wait(rows=3, timeout=5)
    assert len(result.handle.rows) == 3 and result.handle.state == "DONE"


def test_struct_output(engine):
    _pageviews(engine)
    assert push_rows(engine, "SELECT STRUCT(f1 := v1, f2 := v2) AS s FROM pageviews EMIT CHANGES "
                             "LIMIT 1;", 1) == [[{"F1": 1, "F2": "x"}]]


def _orders(engine):
    engine.execute("CREATE STREAM orders (item_id VARCHAR KEY, quantity INT) "
                   "WITH (kafka_topic='orders', partitions=1, value_format='json');")
    for sec in (1, 12, 50):
        engine.produce("orders", '{"QUANTITY": 2}', key="widget", timestamp=sec * 1000)


def test_tumbling_hopping_and_session_windows(engine):
    _orders(engine)
    tumbling = push_rows(engine, "SELECT item_id, windowstart, windowend, SUM(quantity) AS q "
                                 "FROM orders WINDOW TUMBLING (SIZE 20 SECONDS) GROUP BY item_id "
                                 "EMIT CHANGES;", 2)
    assert tumbling == [["widget", 0, 20000, 4], ["widget", 40000, 60000, 2]]
    hopping = push_rows(engine, "SELECT item_id, windowstart, SUM(quantity) AS q FROM orders "
                                "WINDOW HOPPING (SIZE 20 SECONDS, ADVANCE BY 5 SECONDS) "
                                "GROUP BY item_id EMIT CHANGES;", 7)
    assert sorted(r[1] for r in hopping) == [0, 5000, 10000, 35000, 40000, 45000, 50000]
    session = push_rows(engine, "SELECT item_id, windowstart, windowend, SUM(quantity) AS q FROM orders "
                                "WINDOW SESSION (20 SECONDS) GROUP BY item_id EMIT CHANGES;", 2)
    assert session == [["widget", 1000, 12000, 4], ["widget", 50000, 50000, 2]]


def test_three_way_join_within_grace(engine):
    engine.execute("""
        CREATE STREAM orders (id INT KEY, itemid VARCHAR) WITH (kafka_topic='o', partitions=1, value_format='json');
        CREATE STREAM payments (id INT KEY, paid DOUBLE) WITH (kafka_topic='p', partitions=1, value_format='json');
        CREATE STREAM shipments (id INT KEY, carrier VARCHAR) WITH (kafka_topic='s', partitions=1, value_format='json');
        CREATE STREAM shipped_orders AS SELECT o.id AS orderId, o.itemid AS itemId, s.carrier, p.paid
          FROM orders o
          INNER JOIN payments p WITHIN 1 HOURS GRACE PERIOD 15 MINUTES ON p.id = o.id
          INNER JOIN shipments s WITHIN 2 HOURS GRACE PERIOD 15 MINUTES ON s.id = o.id;""")
    k = b"\x00\x00\x00\x07"
    engine.produce("o", '{"ITEMID": "lamp"}', key=k, timestamp=0)
    engine.produce("p", '{"PAID": 9.5}', key=k, timestamp=30 * 60 * 1000)
    engine.produce("s", '{"CARRIER": "ups"}', key=k, timestamp=110 * 60 * 1000)
    # the order-payment row carries the later time (30 min): 2 hours from it end at 150 min
    engine.produce("s", '{"CARRIER": "dhl"}', key=k, timestamp=151 * 60 * 1000)
    engine.drain()
    assert push_rows(engine, "SELECT * FROM shipped_orders EMIT CHANGES;", 1) == [[7, "lamp", "ups", 9.5]]
