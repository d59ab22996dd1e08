"""A comparable picture of everything a statement may change, for the bad-input suites:
a failing statement must leave each part of it exactly as it was."""

BAD_SETUP = """
CREATE STREAM orders (id VARCHAR KEY, item VARCHAR, qty INT, amount DOUBLE)
  WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM shipments (id VARCHAR KEY, carrier VARCHAR)
  WITH (KAFKA_TOPIC='shipments', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM events (id VARCHAR KEY, at TIMESTAMP)
  WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM plain (id VARCHAR KEY, a INT, b STRING)
  WITH (KAFKA_TOPIC='plain', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM plain_twin (id VARCHAR KEY, a INT, b STRING)
  WITH (KAFKA_TOPIC='plain', VALUE_FORMAT='JSON');
CREATE STREAM orders_copy AS SELECT * FROM orders;
CREATE TABLE order_counts AS SELECT id, COUNT(*) AS n FROM orders GROUP BY id;
"""


def engine_state(engine) -> tuple:
    """Catalog (sources, types, persistent queries, the next query number), the running
    queries and their states, push handles, topics with their partition counts, session
    properties and variables."""
    cat = engine.catalog
    return (
        sorted((name, repr(src)) for name, src in cat.sources.items()),
        sorted((name, str(t)) for name, t in cat.types.items()),
        sorted((qid, repr(info)) for qid, info in cat.queries.items()),
        cat.next_query_number,
        sorted((qid, q.state) for qid, q in engine.queries.items()),
        sorted(engine.handles),
        sorted((t.name, t.partitions) for t in engine.broker.list_topics()),
        sorted(engine.properties.items()),
        sorted(engine.variables.items()),
    )


def start_engine_with_running_queries(engine):
    """The suites' catalog: sources, two persistent queries with state, one push query, and
    a few records already processed. Returns the push query's handle."""
    engine.execute(BAD_SETUP)
    handle = engine.execute("SELECT id, item FROM orders EMIT CHANGES;")[0].handle
    for i in range(3):
        engine.produce("orders", '{"ITEM": "pen", "QTY": %d, "AMOUNT": 1.5}' % i, key="k%d" % i,
                       timestamp=1_000 * i)
    engine.drain()
    return handle
