"""The seed's fraud and enrichment queries with AVRO inputs (values produced as Python
objects, serialized with the registered schema), on the embedded broker and on Tansu; the
outputs, read back with confluent-kafka's AvroDeserializer, match pandas."""

import warnings

import pandas as pd
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from confluent_kafka.schema_registry.avro import AvroDeserializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

from ksql_magic import datagen  # noqa: E402
from ksql_magic.datagen.registry import ddl_text, generate  # noqa: E402
from ksql_magic.engine import Engine  # noqa: E402
from kafka_support import on_each_broker  # noqa: E402,F401 - fixture: memory, then Kafka

pytestmark = pytest.mark.usefixtures("on_each_broker")

WINDOW_MS = 5 * 60 * 1000
FRAUD = ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) AS attempts "
         "FROM authorization_attempts WINDOW TUMBLING (SIZE 5 MINUTE) "
         "GROUP BY card_number HAVING COUNT(*) > 3;")
ENRICHED = ("CREATE STREAM enriched_payments AS SELECT p.user_id, payment_id, u.country, total "
            "FROM payments_stream p LEFT JOIN users_table u ON p.user_id = u.user_id;")


def avro_engine(ddl: str) -> Engine:
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute(ddl.replace("VALUE_FORMAT='JSON'", "VALUE_FORMAT='AVRO'"))
    return engine


def produce_objects(engine, events) -> None:
    for ev in events:
        engine.produce(ev["topic"], value=dict(ev["value"]), key=ev["key"],
                       timestamp=ev["timestamp"])


def decoded(engine, topic):
    read = AvroDeserializer(engine.schema_registry)
    ctx = SerializationContext(topic, MessageField.VALUE)
    return [(r, None if r.value is None else read(r.value, ctx)) for r in engine.records(topic)]


def test_possible_fraud_over_avro_attempts_matches_pandas():
    events = datagen.generate("authorization_attempts", n=600, seed=5)
    engine = avro_engine(datagen.ddl("authorization_attempts"))
    engine.execute(FRAUD)
    produce_objects(engine, events)
    engine.drain()
    table = {}
    for r, value in decoded(engine, "POSSIBLE_FRAUD"):
        k = (r.key[:-8].decode(), r.window[0])
        if value is None:
            table.pop(k, None)
        else:
            table[k] = value["ATTEMPTS"]
    df = pd.DataFrame({"card": [e["key"] for e in events],
                       "start": [e["timestamp"] // WINDOW_MS * WINDOW_MS for e in events]})
    counts = df.groupby(["card", "start"]).size()
    want = {k: int(v) for k, v in counts[counts > 3].items()}
    assert want and table == want


def test_enriched_payments_over_avro_inputs_matches_pandas_left_merge():
    events = generate("payments", n=400, seed=7)
    engine = avro_engine(ddl_text("payments"))
    engine.execute(ENRICHED)
    produce_objects(engine, events)
    engine.drain()
    got = sorted((r.key.decode(), v["PAYMENT_ID"], v["COUNTRY"], v["TOTAL"])
                 for r, v in decoded(engine, "ENRICHED_PAYMENTS"))
    pays = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "payments"])
    users = pd.DataFrame([ev["value"] for ev in events if ev["topic"] == "users"])
    want = pays.merge(users[["user_id", "country"]], on="user_id", how="left")
    want = sorted((r.user_id, r.payment_id, None if pd.isna(r.country) else r.country, r.total)
                  for r in want.itertuples())
    assert got == want
