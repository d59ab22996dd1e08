"""https://docs.ksqldb.io/en/latest/how-to-guides/query-structured-data/

Structs (->), maps ([key]), arrays ([index], negative from the end) and nested mixtures;
column names come from the last identifier of an arrow chain."""

from conftest import columns_of, push_rows


def test_struct_fields_by_arrow(engine):
    engine.execute("""
        CREATE STREAM parcels (tag VARCHAR KEY, dims STRUCT<unit VARCHAR, depth INT>)
          WITH (kafka_topic='parcels', partitions=1, value_format='json');
        INSERT INTO parcels (tag, dims) VALUES ('p1', STRUCT(unit := 'cm', depth := 10));
        INSERT INTO parcels (tag, dims) VALUES ('p2', STRUCT(unit := 'in', depth := 4));""")
    sql = "SELECT tag, dims, dims->unit, dims->depth FROM parcels EMIT CHANGES;"
    assert columns_of(engine, sql) == ["TAG", "DIMS", "UNIT", "DEPTH"]
    assert push_rows(engine, sql, 2) == [
        ["p1", {"UNIT": "cm", "DEPTH": 10}, "cm", 10],
        ["p2", {"UNIT": "in", "DEPTH": 4}, "in", 4]]


def test_map_values_by_key(engine):
    engine.execute("""
        CREATE STREAM scores (player VARCHAR KEY, rounds MAP<VARCHAR, INT>)
          WITH (kafka_topic='scores', partitions=1, value_format='json');
        INSERT INTO scores (player, rounds) VALUES ('ann', MAP('r1' := 3, 'r2' := 9));
        INSERT INTO scores (player, rounds) VALUES ('bo', MAP('r1' := 7, 'r2' := 1));""")
    rows = push_rows(engine, "SELECT player, rounds, rounds['r1'] AS r1, rounds['r2'] AS r2 "
                             "FROM scores EMIT CHANGES;", 2)
    assert rows == [["ann", {"r1": 3, "r2": 9}, 3, 9], ["bo", {"r1": 7, "r2": 1}, 7, 1]]


def test_array_elements_one_based_and_from_the_end(engine):
    engine.execute("""
        CREATE STREAM laps (runner VARCHAR KEY, times ARRAY<INT>)
          WITH (kafka_topic='laps', partitions=1, value_format='json');
        INSERT INTO laps (runner, times) VALUES ('a', ARRAY[61]);
        INSERT INTO laps (runner, times) VALUES ('b', ARRAY[58, 60]);
        INSERT INTO laps (runner, times) VALUES ('c', ARRAY[55, 57, 59]);""")
    rows = push_rows(engine, "SELECT runner, times, times[1] AS t_1, times[2] AS t_2, "
                             "times[3] AS t_3, times[-1] AS t_last FROM laps EMIT CHANGES;", 3)
    assert rows == [["a", [61], 61, None, None, 61],
                    ["b", [58, 60], 58, 60, None, 60],
                    ["c", [55, 57, 59], 55, 57, 59, 59]]


def test_deeply_nested_destructuring_composes(engine):
    engine.execute("""
        CREATE STREAM fleet (depot VARCHAR KEY,
          info STRUCT<loads ARRAY<INT>, vans MAP<VARCHAR, STRUCT<driver VARCHAR, ev BOOLEAN>>>)
          WITH (kafka_topic='fleet', partitions=1, value_format='json');
        INSERT INTO fleet (depot, info) VALUES ('north', STRUCT(loads := ARRAY[4, 8, 12],
          vans := MAP('a' := STRUCT(driver := 'kim', ev := true),
                      'b' := STRUCT(driver := 'lu', ev := false))));""")
    sql = ("SELECT depot, info->loads[2] AS load_2, info->vans['a']->ev, "
           "info->vans['b']->driver FROM fleet EMIT CHANGES;")
    assert columns_of(engine, sql) == ["DEPOT", "LOAD_2", "EV", "DRIVER"]
    assert push_rows(engine, sql, 1) == [["north", 8, True, "lu"]]
