"""CREATE STREAM / TABLE statements for the demo topics, in today's ksqlDB syntax.

JSON values, ``VARCHAR KEY`` / ``PRIMARY KEY`` key columns (KAFKA key format: the key bytes
are the UTF-8 string). Names follow the seed's statements (``payments_stream``,
``users_table``, ``vehicle_monitoring_stream``...) so the seed's queries run unchanged.
"""

from __future__ import annotations


def with_topic(topic: str) -> str:
    return "WITH (KAFKA_TOPIC='%s', VALUE_FORMAT='JSON', PARTITIONS=1)" % topic


USER_COLUMNS = ("user_id VARCHAR PRIMARY KEY, registertime BIGINT, first_name VARCHAR, "
                "last_name VARCHAR, country VARCHAR, level VARCHAR, gender VARCHAR")


def users_table(name: str) -> str:
    return "CREATE TABLE %s (%s)\n  %s;" % (name, USER_COLUMNS, with_topic("users"))


def stream(name: str, columns: str, topic: str | None = None) -> str:
    return "CREATE STREAM %s (%s)\n  %s;" % (name, columns, with_topic(topic or name))


CLICKSTREAM = (
    stream("clickstream", "view_time BIGINT, user_id VARCHAR, page VARCHAR, action VARCHAR, "
           "status INTEGER, bytes INTEGER, user_agent VARCHAR, ip VARCHAR"),
    users_table("users"),
)
PAYMENTS = (
    stream("payments_stream", "payment_id BIGINT, user_id VARCHAR, total DOUBLE, "
           "currency VARCHAR, pay_time BIGINT", "payments"),
    users_table("users_table"),
)
AUTHORIZATION_ATTEMPTS = (
    stream("authorization_attempts", "card_number VARCHAR KEY, amount DOUBLE, "
           "merchant VARCHAR, country VARCHAR, approved BOOLEAN, attempt_time BIGINT"),
)
VEHICLE_MONITORING = (
    stream("vehicle_monitoring_stream", "vehicle VARCHAR KEY, event_type VARCHAR, "
           "speed DOUBLE, engine_temp DOUBLE, lat DOUBLE, lon DOUBLE, reading_time BIGINT",
           "vehicle_monitoring"),
)
ORDERS = (
    stream("orders", "orderid VARCHAR KEY, itemid VARCHAR, quantity INTEGER, order_time BIGINT"),
    stream("shipments", "orderid VARCHAR KEY, shipmentid VARCHAR, warehouse VARCHAR, "
           "ship_time BIGINT"),
)
SALES = (
    stream("sales_online", "itemid BIGINT, price INTEGER, shipmentid BIGINT"),
    stream("sales_offline", "itemid BIGINT, price INTEGER, storeid BIGINT"),
)
HEALTH_SENSOR = (
    stream("health_sensor", "patient_id VARCHAR KEY, event_id BIGINT, sensorinput DOUBLE, "
           "reading_time BIGINT"),
)
