"""A transient (push) join shows exactly the columns its SELECT names, as ksqlDB does: the
join key is required only in persistent queries' projections; SELECT * shows it."""

import json

import pytest

from ksql_magic import Engine


@pytest.fixture
def engine():
    e = Engine(properties={"auto.offset.reset": "earliest"})
    e.execute("CREATE TABLE owners (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='owners', partitions=1, value_format='json');"
              "CREATE STREAM pets (owner INT KEY, pet STRING) WITH (kafka_topic='pets', partitions=1, value_format='json');"
              "CREATE TABLE vets (id INT PRIMARY KEY, clinic STRING) WITH (kafka_topic='vets', partitions=1, value_format='json');")
    e.produce("owners", json.dumps({"NAME": "Ida"}), key=b"\x00\x00\x00\x01")
    e.produce("vets", json.dumps({"CLINIC": "Elm"}), key=b"\x00\x00\x00\x01")
    e.drain()
    e.produce("pets", json.dumps({"PET": "cat"}), key=b"\x00\x00\x00\x01")
    yield e
    e.close()


def test_push_join_without_the_key_shows_only_the_selected_columns(engine):
    r = engine.execute("SELECT p.pet, o.name FROM pets p JOIN owners o ON p.owner = o.id EMIT CHANGES;")[0]
    r.handle.wait(rows=1, timeout=5)
    assert r.columns == ["PET", "NAME"]
    assert r.handle.rows == [{"PET": "cat", "NAME": "Ida"}]


def test_push_table_join_without_the_key_still_updates_rows_in_place(engine):
    r = engine.execute("SELECT o.name, v.clinic FROM owners o JOIN vets v ON o.id = v.id EMIT CHANGES;")[0]
    r.handle.wait(rows=1, timeout=5)
    engine.produce("vets", json.dumps({"CLINIC": "Oak"}), key=b"\x00\x00\x00\x01")
    engine.drain()
    assert r.columns == ["NAME", "CLINIC"]
    assert r.handle.rows == [{"NAME": "Ida", "CLINIC": "Oak"}]


def test_push_join_select_star_shows_the_key(engine):
    r = engine.execute("SELECT * FROM pets p JOIN owners o ON p.owner = o.id EMIT CHANGES;")[0]
    assert r.columns == ["P_OWNER", "P_PET", "O_ID", "O_NAME"]
