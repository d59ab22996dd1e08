"""Engine properties: ksqlDB's defaults and the spelling rules of SET / UNSET.

Why a module of its own: the engine, the planner (auto.offset.reset, caching) and SHOW
PROPERTIES all read the same table.
"""

from __future__ import annotations

DEFAULT_PROPERTIES: dict[str, str] = {
    "auto.offset.reset": "latest",
    "ksql.streams.cache.max.bytes.buffering": "10000000",
    "ksql.service.id": "default_",
    "ksql.persistent.prefix": "query_",
    "ksql.output.topic.name.prefix": "",
    "ksql.sink.partitions": "",
    "ksql.persistence.wrap.single.values": "true",
    "ksql.persistence.default.format.key": "KAFKA",
    "ksql.persistence.default.format.value": "",
    "ksql.query.pull.table.scan.enabled": "true",
    "ksql.query.push.v2.enabled": "false",
    "ksql.functions.collect_list.limit": "1000",
    "ksql.functions.collect_set.limit": "1000",
    "ksql.timestamp.throw.on.invalid": "false",
    "ksql.rowpartition.rowoffset.enabled": "true",
    "ksql.streams.commit.interval.ms": "2000",
}



def normalise_properties(props: dict) -> dict[str, str]:
    """Values as strings, as SET gives them; booleans lower-case like Java's toString."""
    out = {}
    for k, v in props.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        out[str(k)] = str(v)
    return out


def caching_enabled(props: dict) -> bool:
    """ksqlDB's record cache is on unless its size is set to 0."""
    for name in ("ksql.streams.cache.max.bytes.buffering", "cache.max.bytes.buffering",
                 "ksql.streams.statestore.cache.max.bytes"):
        if name in props:
            try:
                return int(props[name]) > 0
            except ValueError:
                return True
    return True
