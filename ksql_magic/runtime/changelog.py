"""State backup and restore: a stateful operator's state in a compacted changelog topic.

Kafka Streams writes every state change to a compacted ``...-changelog`` topic and replays it
on restart. We do the simplest thing that is correct: at each commit the operator's whole
state is snapshotted, encoded as data (``state_codec``: tagged, versioned JSON, never pickle)
and written (in chunks, so no record outgrows the broker's message limit) together with the
input positions it corresponds to. A restart restores the last complete snapshot and resumes
reading from *its* positions, so the state never counts a record twice, whatever happened
between the snapshot and the offset commit.

Operators take part through two methods (the interface every stateful operator implements):

* ``snapshot_state() -> data``: plain values (lists, dicts, tuples, numbers, strings, bytes,
  Decimals, sets) holding everything the operator needs to carry on (never the compiled
  expressions; those come from the plan again);
* ``restore_state(data) -> None``: check that data's shape and types (a schema check: the
  topic is writable by anyone with access to the cluster, so nothing in it is trusted) and put
  it into a freshly planned operator; ``StateFormatError`` when it does not fit.

The rule on a snapshot that cannot be restored (bad JSON, another format or version, a shape
the operator refuses): the query does **not** start. It is registered in state ``ERROR``
with the status "state in changelog topic <topic> could not be restored: <reason>", a
processing-log entry says the same, and nothing is raised out of the engine; TERMINATE (or
DROP of its sink) removes it, and deletes the unreadable changelog so that creating the
query again starts with empty state. Starting empty on our own would silently emit wrong
aggregates, so it is never done without the user's say.

Record layout (keys are UTF-8): ``<store>/<slot>/<i>`` chunk ``i`` of the snapshot in slot 0
or 1 (slots alternate, so a snapshot cut short by a failure never damages the last good one),
and ``<store>`` the manifest, JSON ``{"gen", "slot", "chunks", "positions"}`` written last.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from . import state_codec
from .state_codec import StateFormatError, expect

CHUNK_BYTES = 512 * 1024
COMPACT = {"cleanup.policy": "compact"}


# ================================================================ operator state ===

def snapshot(op) -> Any:
    """The operator's state as data (its ``snapshot_state``)."""
    own = getattr(op, "snapshot_state", None)
    if own is None:
        raise state_codec.StateEncodeError(
            "operator %s keeps state but has no snapshot_state()" % type(op).__name__)
    return own()


def restore(op, state: Any) -> None:
    """Put ``state`` (decoded data) into ``op``; ``StateFormatError`` if it does not fit."""
    try:
        op.restore_state(state)
    except StateFormatError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        # a shape the operator's checks let through and its code then tripped over
        raise StateFormatError("state does not fit the operator (%s: %s)"
                               % (type(e).__name__, e)) from None


# ================================================================ the topic ===

class ChangelogStore:
    """One query's store in its compacted changelog topic."""

    def __init__(self, broker, topic: str, store: str = "state"):
        self.broker = broker
        self.topic = topic
        self.store = store
        self.gen = 0

    def ensure_topic(self) -> None:
        if self.broker.topic(self.topic) is None:
            try:
                self.broker.create_topic(self.topic, 1, 1, config=dict(COMPACT))
            except Exception:  # noqa: BLE001 - created meanwhile by another engine
                if self.broker.topic(self.topic) is None:
                    raise

    def save(self, state: Any, positions: dict) -> None:
        """Write a snapshot and its input positions; returns once acknowledged."""
        data = state_codec.dumps(state)
        self.gen += 1
        slot = self.gen % 2
        chunks = [data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
        gen_header = (("gen", str(self.gen).encode()),)
        # (the trailing () keeps recovery state out of drain()'s produce order)
        batch = [(self.topic, 0, ("%s/%d/%d" % (self.store, slot, i)).encode(), c, None,
                  gen_header, ()) for i, c in enumerate(chunks)]
        manifest = {"gen": self.gen, "slot": slot, "chunks": len(chunks),
                    "positions": [[i, p, o] for (i, p), o in sorted(positions.items())]}
        batch.append((self.topic, 0, self.store.encode(), json.dumps(manifest).encode(), None,
                      (), ()))
        self.broker.produce_batch(batch)

    def load(self) -> Optional[tuple[Any, dict]]:
        """(state, positions) of the last complete snapshot, or None if there is none;
        ``StateFormatError`` when what is there is not a snapshot this version wrote."""
        if self.broker.topic(self.topic) is None:
            return None
        latest: dict[bytes, Any] = {}
        for rec in self.broker.records(self.topic):
            if rec.key is not None:
                latest[rec.key] = rec
        man_rec = latest.get(self.store.encode())
        if man_rec is None or man_rec.value is None:
            return None
        man = _manifest(man_rec.value)
        parts = []
        for i in range(man["chunks"]):
            rec = latest.get(("%s/%d/%d" % (self.store, man["slot"], i)).encode())
            if rec is None or dict(rec.headers).get("gen") != str(man["gen"]).encode():
                # the manifest is written after its chunks, and a later snapshot writes the
                # other slot: a chunk missing here was removed or replaced by someone else
                raise StateFormatError("chunk %d of snapshot %d is missing" % (i, man["gen"]))
            parts.append(rec.value or b"")
        self.gen = man["gen"]
        positions = {(i, p): o for i, p, o in man["positions"]}
        return state_codec.loads(b"".join(parts)), positions


def _manifest(raw: bytes) -> dict:
    """The manifest record, checked: gen/slot/chunks ints, positions [input, partition, offset]."""
    try:
        man = json.loads(raw)
    except ValueError:
        raise StateFormatError("the manifest is not JSON") from None
    expect(isinstance(man, dict), "the manifest is not an object")
    for name in ("gen", "slot", "chunks"):
        expect(state_codec.is_int(man.get(name)) and man[name] >= 0,
               "the manifest's %r is not a count" % name)
    expect(man["chunks"] <= 1 << 16, "the manifest names too many chunks")
    pos = man.get("positions")
    expect(isinstance(pos, list) and all(
        isinstance(p, list) and len(p) == 3 and all(state_codec.is_int(x) for x in p) for p in pos),
        "the manifest's positions are not [input, partition, offset] triples")
    return man
