"""MAP scalar functions (ksqlDB category MAP)."""

from __future__ import annotations

from .registry import scalar

C = "MAP"


@scalar("MAP_KEYS", ["MAP<K, V> map"], "ARRAY<K>", C, "The keys of a map.")
def map_keys(m):
    return None if m is None else list(m.keys())


@scalar("MAP_VALUES", ["MAP<K, V> map"], "ARRAY<V>", C, "The values of a map.")
def map_values(m):
    return None if m is None else list(m.values())


@scalar("MAP_UNION", ["MAP<K, V> map1", "MAP<K, V> map2"], "MAP<K, V>", C,
        "Both maps merged; map2 wins on duplicate keys.")
def map_union(a, b):
    if a is None and b is None:
        return None
    out = dict(a or {})
    out.update(b or {})
    return out


@scalar("AS_MAP", ["ARRAY<STRING> keys", "ARRAY<V> values"], "MAP<STRING, V>", C,
        "A map from parallel arrays of keys and values.")
def as_map(keys, values):
    if keys is None or values is None:
        return None
    out = {}
    for i, k in enumerate(keys):
        out[k] = values[i] if i < len(values) else None
    return out
