"""Where a query's output rows go: a topic (persistent queries) or a handle (push queries).

An output is ``Emit(key, value, timestamp, seq, window)``: key and value are lists of column
values in the plan's order (value None is a tombstone). The topic sink serializes them
exactly as ksqlDB writes them, windowed keys included, and picks Kafka's partition.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from ..brokers.partitioner import default_partition
from ..catalog import Source
from ..serde import SerdeError, make_serde
from ..serde.windowed import encode_windowed_key


class Emit(NamedTuple):
    key: Optional[list]
    value: Optional[list]
    timestamp: int
    seq: tuple = ()
    window: Optional[tuple[int, int]] = None


class TopicSink:
    """Serializes emits and appends them to the sink source's topic."""

    def __init__(self, source: Source, broker, on_error):
        self.source = source
        self.broker = broker
        self.on_error = on_error
        props = source.properties
        key_cols = [(c.name, c.type) for c in source.key_columns]
        val_cols = [(c.name, c.type) for c in source.value_columns]
        self.key_serde = make_serde(source.key_format, key_cols, is_key=True, properties=props,
                                    topic=source.topic, registry=source.registry) if key_cols else None
        self.value_serde = make_serde(source.value_format, val_cols, is_key=False,
                                      properties=props, topic=source.topic, registry=source.registry)
        info = broker.topic(source.topic)
        self.partitions = info.partitions if info else 1
        self.session = source.window is not None and source.window.kind == "SESSION"
        self.windowed = source.window is not None
        self.topic = source.topic
        self.records_out = 0

    def _key_bytes(self, e: Emit) -> Optional[bytes]:
        # A null key stays null; a single null key column is a null key; several null key
        # columns (a computed key) are still written, e.g. {"A":null,"B":null} (ksqlDB).
        if self.key_serde is None or e.key is None or (len(e.key) == 1 and e.key[0] is None):
            kb = None
        else:
            kb = self.key_serde.serialize(e.key)
        if self.windowed and e.window is not None:
            kb = encode_windowed_key(kb or b"", e.window[0], e.window[1], self.session)
        return kb

    def write(self, emits: list[Emit], room: Optional[int] = None) -> int:
        """Serialize and hand the whole batch to the broker at once (it returns once every
        record is acknowledged). Each tuple carries its input's seq: the broker places the
        output right after that input in drain()'s order. Writes at most ``room`` emits
        (a LIMIT) and returns how many it took."""
        if room is not None:
            emits = emits[:room]
        vser = self.value_serde.serialize
        topic = self.topic
        batch = []
        placed: dict = {}       # one-string-column key + window -> (key bytes, partition)
        for e in emits:
            try:
                key = e.key
                if key is not None and len(key) == 1 and type(key[0]) is str:
                    # a batch updates the same keys again and again (windowed aggregates)
                    memo = (key[0], e.window)
                    kp = placed.get(memo)
                    if kp is None:
                        kb = self._key_bytes(e)
                        kp = placed[memo] = (kb, self._partition(kb, e))
                else:
                    kb = self._key_bytes(e)
                    kp = (kb, self._partition(kb, e))
                vb = None if e.value is None else vser(e.value)
            except Exception as err:  # noqa: BLE001 - one unserializable output, not the query
                self._failed(err)
                continue
            batch.append((topic, kp[1], kp[0], vb, e.timestamp, (), e.seq))
        if batch:
            self.broker.produce_batch(batch)
            self.records_out += len(batch)
        return len(emits)

    def _failed(self, err: Exception) -> None:
        """ksqlDB's SERIALIZATIONERROR for an output it cannot write; the output is dropped."""
        if isinstance(err, SerdeError):
            message = err.message
        else:
            message = "Failed to serialize %s to topic: %s. %s" % (
                "value", self.topic, err if str(err) else type(err).__name__)
        cause = [] if isinstance(err, SerdeError) else [str(err) or type(err).__name__]
        self.on_error("serialization", message, None, cause=cause, topic=self.topic)

    def _partition(self, kb: Optional[bytes], e: Emit) -> Optional[int]:
        if self.partitions == 1:
            return 0
        if kb is None:
            return None
        if self.windowed and self.key_serde is not None:
            # Kafka Streams partitions windowed results by the inner key's bytes.
            kb = self.key_serde.serialize(e.key)
        return default_partition(kb, self.partitions)


class HandleSink:
    """Hands emits to a push query's handle instead of a topic."""

    def __init__(self, handle):
        self.handle = handle
        self.records_out = 0

    def write(self, emits: list[Emit], room: Optional[int] = None) -> int:
        """Returns the rows the handle delivered (at most ``room``): a LIMIT counts those."""
        delivered = self.handle.accept(emits, room)
        self.records_out += delivered
        return delivered
