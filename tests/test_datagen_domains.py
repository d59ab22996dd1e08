"""The demo generators: deterministic, planted patterns where the seed's queries find them."""

from collections import Counter

import pytest

from ksql_magic import datagen

FRAUD_WINDOW = 5 * 60_000


@pytest.mark.parametrize("name", datagen.domains())
def test_same_seed_gives_same_events(name):
    assert datagen.generate(name, n=200, seed=4) == datagen.generate(name, n=200, seed=4)


@pytest.mark.parametrize("name", datagen.domains())
def test_different_seeds_give_different_events(name):
    assert datagen.generate(name, n=200, seed=1) != datagen.generate(name, n=200, seed=2)


@pytest.mark.parametrize("name", datagen.domains())
def test_every_event_goes_to_a_topic_of_its_domain(name):
    topics = set(datagen.domain(name).topics)
    assert {e["topic"] for e in datagen.generate(name, n=300)} <= topics


@pytest.mark.parametrize("name", datagen.domains())
def test_ddl_declares_every_topic_of_the_domain(name):
    text = datagen.ddl(name)
    for topic in datagen.domain(name).topics:
        assert "KAFKA_TOPIC='%s'" % topic in text


def test_without_disorder_timestamps_never_decrease():
    events = datagen.generate("clickstream", n=500, seed=3)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)


def test_late_events_arrive_after_newer_ones():
    events = datagen.generate("payments", n=500, seed=3, late_fraction=0.05)
    late = [i for i, e in enumerate(events) if e["tag"] == "late"]
    assert late
    newest_before = max(e["timestamp"] for e in events[:late[-1]])
    assert events[late[-1]]["timestamp"] < newest_before - 10 * 60_000


def test_disorder_keeps_the_time_column_equal_to_the_timestamp():
    events = datagen.generate("payments", n=500, seed=3, out_of_order_fraction=0.2)
    moved = [e for e in events if e["tag"] == "out_of_order"]
    assert moved and all(e["value"]["pay_time"] == e["timestamp"] for e in moved)


def test_fraud_bursts_are_the_only_cards_over_three_per_window():
    events = datagen.generate("authorization_attempts", n=2000, seed=9)
    counts = Counter((e["key"], e["timestamp"] // FRAUD_WINDOW) for e in events)
    over = {card for (card, _), c in counts.items() if c > 3}
    planted = {e["key"] for e in events if e["tag"] == "fraud_burst"}
    assert over == planted and len(planted) == 10


def test_failing_vehicles_are_the_only_ones_with_three_errors_a_minute():
    events = datagen.generate("vehicle_monitoring", n=2000, seed=9)
    errors = Counter((e["key"], e["timestamp"] // 60_000) for e in events
                     if e["value"]["event_type"] == "ERROR")
    failing = {vehicle for (vehicle, _), c in errors.items() if c >= 3}
    assert failing == {e["key"] for e in events if e["tag"] == "failing"}


def test_some_orders_never_ship_and_some_ship_late():
    events = datagen.generate("orders", n=300, seed=2)
    shipped = {e["key"] for e in events if e["topic"] == "shipments"}
    orders = {e["key"]: e for e in events if e["topic"] == "orders"}
    missing = set(orders) - shipped
    assert missing == {k for k, e in orders.items() if e["tag"] == "missing_shipment"}
    late = [e for e in events if e["topic"] == "shipments" and e["tag"] == "late_shipment"]
    assert late and all(e["timestamp"] - orders[e["key"]]["timestamp"] > 2 * 3_600_000
                        for e in late)


def test_users_table_rows_come_first():
    events = datagen.generate("clickstream", n=50)
    first = [e["topic"] for e in events[:20]]
    assert first == ["users"] * 20


def test_sales_span_several_days():
    events = datagen.generate("sales", n=300)
    days = {e["timestamp"] // 86_400_000 for e in events}
    assert len(days) >= 3


def test_unknown_domain_names_the_valid_ones():
    with pytest.raises(ValueError, match="authorization_attempts"):
        datagen.generate("nope")


def test_aliases_resolve_to_their_domain():
    assert datagen.domain("shipments").name == "orders"


def test_encode_gives_string_key_and_json_value():
    key, value = datagen.encode(datagen.generate("health_sensor", n=1)[0])
    assert key.startswith(b"patient_") and value.startswith(b"{")
