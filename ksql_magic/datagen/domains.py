"""The seed's demo domains: what their records look like and what each one plants.

Each generator takes a seeded ``random.Random``, the number ``n`` of primary events and the
event-time ``Clock``, and returns events (see ``core.event``) in any order; the caller sorts,
disorders and orders reference tables first. What is planted is tagged so a test can find it:
fraud bursts (more than 3 attempts of one card inside one 5-minute tumbling window), failing
vehicles (3 or more ERRORs inside one 1-minute window), late (after 2 hours) and missing
shipments, and sensor anomalies.
"""

from __future__ import annotations

import random

from .core import Clock, event

COUNTRIES = ("JP", "US", "DE", "FR", "GB", "IN", "BR", "AU")
LEVELS = ("Platinum", "Gold", "Silver", "Bronze")
FIRST = ("Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy")
LAST = ("Sato", "Suzuki", "Smith", "Jones", "Muller", "Martin", "Garcia", "Kim", "Rossi")
PAGES = ("/home", "/search", "/product", "/cart", "/checkout", "/help", "/about")
ACTIONS = ("view", "click", "scroll", "add_to_cart", "purchase")
AGENTS = ("Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X)",
          "Mozilla/5.0 (Windows NT 10.0)", "curl/8.5.0", "python-requests/2.32")
MERCHANTS = ("coffee", "books", "grocery", "electronics", "travel", "fuel", "pharmacy")
EVENT_TYPES = ("INFO", "INFO", "INFO", "WARN")
WAREHOUSES = ("tokyo", "osaka", "berlin", "austin")
USERS = 20
FRAUD_WINDOW_MS = 5 * 60_000
FAIL_WINDOW_MS = 60_000
HOUR_MS = 3_600_000


def user_id(i: int) -> str:
    return "user_%d" % i


def make_users(rng: random.Random, clock: Clock) -> list:
    """The users reference table: a fixed set of ids; 1 in 4 is Platinum."""
    return [event("users", user_id(i), {
        "user_id": user_id(i), "registertime": clock.start - rng.randrange(1, 1000) * 86_400_000,
        "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST),
        "country": rng.choice(COUNTRIES), "level": LEVELS[i % 4],
        "gender": rng.choice(("FEMALE", "MALE", "OTHER"))}, clock.start)
        for i in range(1, USERS + 1)]


def make_clickstream(rng: random.Random, n: int, clock: Clock) -> list:
    events = make_users(rng, clock)
    for i in range(n):
        ts = clock.at(i)
        events.append(event("clickstream", None, {
            "view_time": ts, "user_id": user_id(rng.randint(1, USERS)),
            "page": rng.choice(PAGES), "action": rng.choice(ACTIONS),
            "status": rng.choice((200, 200, 200, 200, 302, 404, 500)),
            "bytes": rng.randrange(200, 50_000), "user_agent": rng.choice(AGENTS),
            "ip": "10.0.%d.%d" % (rng.randrange(256), rng.randrange(256))}, ts))
    return events


def make_payments(rng: random.Random, n: int, clock: Clock) -> list:
    events = make_users(rng, clock)
    for i in range(n):
        ts = clock.at(i)
        events.append(event("payments", None, {
            "payment_id": clock.base + i + 1, "user_id": user_id(rng.randint(1, USERS + 2)),
            "total": round(rng.uniform(1, 500), 2),
            "currency": rng.choice(("JPY", "USD", "EUR")), "pay_time": ts}, ts))
    return events


def card(i: int) -> str:
    return "4000-%04d-%04d-%04d" % (i // 100_000_000 % 10_000, i // 10_000 % 10_000, i % 10_000)


def attempt(rng: random.Random, card_number: str, ts: int, tag=None) -> dict:
    return event("authorization_attempts", card_number, {
        "card_number": card_number, "amount": round(rng.uniform(1, 900), 2),
        "merchant": rng.choice(MERCHANTS), "country": rng.choice(COUNTRIES),
        "approved": rng.random() < 0.9, "attempt_time": ts}, ts, tag)


def make_authorization_attempts(rng: random.Random, n: int, clock: Clock) -> list:
    """Normal cards appear at most twice in the whole run, so only planted bursts (5 to 8
    attempts of one card inside one 5-minute window) can cross ``COUNT(*) > 3``."""
    bursts = max(1, n // 200)
    normal = max(0, n - bursts * 6)
    events = [attempt(rng, card(1000 + (clock.base + i) // 2), clock.at(i)) for i in range(normal)]
    for b in range(bursts):
        events.extend(fraud_burst(rng, card(9_000_000 + clock.base + b), clock, normal))
    return events


def fraud_burst(rng: random.Random, card_number: str, clock: Clock, normal: int) -> list:
    """5 to 8 attempts of one card, all inside one 5-minute tumbling window."""
    size = rng.randint(5, 8)
    at = clock.at(rng.randrange(max(1, normal)))
    window_start = at - at % FRAUD_WINDOW_MS
    span = min(60_000, FRAUD_WINDOW_MS - 1)
    first = window_start + rng.randrange(0, FRAUD_WINDOW_MS - span)
    times = sorted(first + rng.randrange(0, span) for _ in range(size))
    return [attempt(rng, card_number, t, "fraud_burst") for t in times]


def vehicle_reading(rng: random.Random, vehicle: str, ts: int, event_type: str, tag=None):
    return event("vehicle_monitoring", vehicle, {
        "vehicle": vehicle, "event_type": event_type, "speed": round(rng.uniform(0, 120), 1),
        "engine_temp": round(rng.uniform(70, 130 if event_type == "ERROR" else 105), 1),
        "lat": round(35.6 + rng.uniform(-0.2, 0.2), 5),
        "lon": round(139.7 + rng.uniform(-0.2, 0.2), 5), "reading_time": ts}, ts, tag)


def make_vehicle_monitoring(rng: random.Random, n: int, clock: Clock) -> list:
    """Healthy vehicles report an ERROR at most once a minute; failing ones (1 in 10 of a
    fleet of 30) burst 3 to 5 ERRORs inside one 1-minute window."""
    fleet = ["truck_%02d" % i for i in range(1, 31)]
    failing = fleet[::10]
    last_error = {}
    events = []
    for i in range(n):
        ts, vehicle = clock.at(i), rng.choice(fleet)
        kind = rng.choice(EVENT_TYPES)
        if rng.random() < 0.02 and ts - last_error.get(vehicle, -10 ** 15) > 2 * FAIL_WINDOW_MS:
            kind, last_error[vehicle] = "ERROR", ts
        events.append(vehicle_reading(rng, vehicle, ts, kind))
    bursts = max(len(failing), n // 300)
    for b in range(bursts):
        vehicle = failing[b % len(failing)]
        at = clock.at(rng.randrange(max(1, n)))
        start = at - at % FAIL_WINDOW_MS + rng.randrange(0, FAIL_WINDOW_MS // 2)
        for _ in range(rng.randint(3, 5)):
            events.append(vehicle_reading(rng, vehicle, start + rng.randrange(0, FAIL_WINDOW_MS // 2),
                                          "ERROR", "failing"))
    return events


def make_orders(rng: random.Random, n: int, clock: Clock) -> list:
    """Each order ships 10 to 90 minutes later, except 1 in 10 ships 3 to 6 hours later
    (``late_shipment``) and 1 in 10 never ships (the order is tagged ``missing_shipment``)."""
    events = []
    for i in range(n):
        ts, orderid = clock.at(i), "order_%d" % (clock.base + i + 1)
        roll = rng.random()
        tag = "missing_shipment" if roll < 0.1 else ("late_shipment" if roll < 0.2 else None)
        events.append(event("orders", orderid, {
            "orderid": orderid, "itemid": "item_%d" % rng.randint(1, 50),
            "quantity": rng.randint(1, 5), "order_time": ts}, ts, tag))
        if tag == "missing_shipment":
            continue
        delay = rng.randint(3 * 60, 6 * 60) if tag else rng.randint(10, 90)
        ship_ts = ts + delay * 60_000
        events.append(event("shipments", orderid, {
            "shipmentid": "ship_%d" % (clock.base + i + 1), "orderid": orderid,
            "warehouse": rng.choice(WAREHOUSES), "ship_time": ship_ts}, ship_ts, tag))
    return events


def make_sales(rng: random.Random, n: int, clock: Clock) -> list:
    """Online and offline sales of 10 items, alternating at random, spread over days."""
    events = []
    for i in range(n):
        ts, item = clock.at(i), rng.randint(1, 10)
        if rng.random() < 0.5:
            events.append(event("sales_online", None, {
                "itemid": item, "price": rng.randint(1, 100) * 10,
                "shipmentid": 100_000 + clock.base + i}, ts))
        else:
            events.append(event("sales_offline", None, {
                "itemid": item, "price": rng.randint(1, 100) * 10,
                "storeid": rng.randint(1, 5)}, ts))
    return events


def make_health_sensor(rng: random.Random, n: int, clock: Clock) -> list:
    """Readings around 70 with noise; 1 in 50 is an anomaly far outside (tag ``anomaly``)."""
    events = []
    for i in range(n):
        ts = clock.at(i)
        anomalous = rng.random() < 0.02
        value = rng.choice((rng.uniform(150, 200), rng.uniform(5, 20))) if anomalous \
            else rng.gauss(70, 5)
        patient = "patient_%d" % rng.randint(1, 8)
        events.append(event("health_sensor", patient, {
            "event_id": clock.base + i + 1, "patient_id": patient, "sensorinput": round(value, 2),
            "reading_time": ts}, ts, "anomaly" if anomalous else None))
    return events
