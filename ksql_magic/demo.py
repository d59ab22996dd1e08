"""A seed example played through the engine in the terminal: ``python -m ksql_magic.demo``.

Exploration (SHOW TOPICS, PRINT, the LIKE query) and INSERT INTO merging two sales streams,
on the embedded broker with generated data, printing each statement's result.
"""

from __future__ import annotations

import json

from .engine import Engine

STATEMENTS = """
CREATE STREAM clickstream (user_id VARCHAR KEY, page VARCHAR, status INT, bytes BIGINT,
                           user_agent VARCHAR)
  WITH (KAFKA_TOPIC='clickstream', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM sales_online  (itemId BIGINT, price INTEGER, shipmentId BIGINT)
  WITH (KAFKA_TOPIC='sales_online', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM sales_offline (itemId BIGINT, price INTEGER, storeId BIGINT)
  WITH (KAFKA_TOPIC='sales_offline', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM all_sales (itemId BIGINT, price INTEGER)
  WITH (KAFKA_TOPIC='all_sales', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO all_sales SELECT itemId, price FROM sales_online;
INSERT INTO all_sales SELECT itemId, price FROM sales_offline;
"""

AGENTS = ["Mozilla/5.0 (X11; Linux)", "curl/8.0", "Mozilla/5.0 (Macintosh)", "Wget/1.21"]


def _show(result) -> None:
    if result.kind == "table":
        print(result.to_pandas().to_string(index=False))
    else:
        print(result.message)
    print()


def main() -> None:
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    for r in engine.execute(STATEMENTS):
        _show(r)
    for i in range(8):
        engine.produce("clickstream", json.dumps({
            "PAGE": "/page/%d" % (i % 3), "STATUS": 200 if i % 4 else 404, "BYTES": 100 * i,
            "USER_AGENT": AGENTS[i % len(AGENTS)]}), key="user_%d" % (i % 3), timestamp=1_000 * i)
        engine.produce("sales_online" if i % 2 else "sales_offline",
                       json.dumps({"ITEMID": i % 3, "PRICE": 10 + i, "SHIPMENTID": i, "STOREID": i}),
                       timestamp=1_000 * i)
    engine.drain()
    for sql in ("SHOW TOPICS;", "PRINT 'clickstream' FROM BEGINNING LIMIT 3;",
                "SELECT page, user_id, status, bytes FROM clickstream WHERE user_agent LIKE 'Mozilla/5.0%';",
                "SELECT * FROM all_sales;"):
        print(">", sql)
        _show(engine.execute(sql)[0])
    engine.close()


if __name__ == "__main__":
    main()
