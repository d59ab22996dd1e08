"""Producing demo data into an engine: everything at once, or live at a rate."""

import threading
import time

from ksql_magic import datagen


class RecordingEngine:
    """Just what the producer calls: create_topic, produce, start."""

    def __init__(self):
        self.topics, self.records, self.started = set(), [], 0
        self.lock = threading.Lock()

    def create_topic(self, topic, partitions=1):
        if topic in self.topics:
            raise ValueError("exists")
        self.topics.add(topic)

    def produce(self, topic, value, key=None, timestamp=None):
        with self.lock:
            self.records.append((topic, key, value, timestamp))

    def start(self):
        self.started += 1


def test_produce_writes_every_event_and_creates_topics():
    engine = RecordingEngine()
    count = datagen.produce(engine, "orders", n=50, seed=1)
    assert count == len(engine.records) and engine.topics == {"orders", "shipments"}


def test_produce_twice_tolerates_existing_topics():
    engine = RecordingEngine()
    datagen.produce(engine, "sales", n=5)
    datagen.produce(engine, "sales", n=5)
    assert len(engine.records) == 10


def test_live_run_respects_its_rate():
    engine = RecordingEngine()
    run = datagen.start(engine, "health_sensor", rate=200)
    time.sleep(1.0)
    run.stop()
    assert 120 <= run.produced <= 260 and not run.running and run.state == "STOPPED"


def test_live_run_stops_after_count():
    engine = RecordingEngine()
    run = datagen.start(engine, "clickstream", rate=2000, count=100)
    deadline = time.time() + 5
    while run.running and time.time() < deadline:
        time.sleep(0.02)
    assert run.state == "DONE" and run.produced == 120     # 100 clicks + 20 users


def test_live_run_starts_the_engine_runner():
    engine = RecordingEngine()
    datagen.start(engine, "payments", rate=10, count=1).stop()
    assert engine.started == 1


def test_live_run_keeps_ids_unique_across_chunks():
    engine = RecordingEngine()
    run = datagen.DatagenRun(engine, "health_sensor", rate=10, count=130)
    ids = [e["value"]["event_id"] for chunk in run._chunks() for e in chunk]
    assert len(ids) == len(set(ids)) == 130


def test_live_run_records_what_it_planted():
    engine = RecordingEngine()
    run = datagen.start(engine, "authorization_attempts", rate=5000, count=1000, seed=3)
    deadline = time.time() + 5
    while run.running and time.time() < deadline:
        time.sleep(0.02)
    bursts = {key for tag, key in run.planted if tag == "fraud_burst"}
    assert len(bursts) == 5
