"""State backup and restore: a stateful operator's state in a compacted changelog topic.

Kafka Streams writes every state change to a compacted ``...-changelog`` topic and replays it
on restart. We do the simplest thing that is correct: at each commit the operator's whole
state is snapshotted, pickled and written (in chunks, so no record outgrows the broker's
message limit) together with the input positions it corresponds to. A restart restores the
last complete snapshot and resumes reading from *its* positions, so the state never counts
a record twice, whatever happened between the snapshot and the offset commit.

Operators take part through two methods (the interface the operators implement):

* ``snapshot_state() -> object``: a picklable object holding everything the operator needs
  to carry on (never the compiled expressions; those come from the plan again);
* ``restore_state(obj) -> None``: put that state back into a freshly planned operator.

An operator without them is snapshotted generically: every attribute whose value pickles
(dicts of groups, buffers, stream time), recursing into lists of sub-operators (join chains);
attributes that do not pickle (callables, options) are rebuilt by the planner.

Record layout (keys are UTF-8): ``<store>/<slot>/<i>`` chunk ``i`` of the snapshot in slot 0
or 1 (slots alternate, so a snapshot cut short by a failure never damages the last good one),
and ``<store>`` the manifest, JSON ``{"gen", "slot", "chunks", "positions"}`` written last.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Optional

CHUNK_BYTES = 512 * 1024
COMPACT = {"cleanup.policy": "compact"}
_GENERIC = "__generic__"


# ================================================================ operator state ===

def snapshot(op) -> Any:
    """The operator's state as a picklable object (its own snapshot_state, if it has one)."""
    own = getattr(op, "snapshot_state", None)
    if own is not None:
        return own()
    return {_GENERIC: _generic_snapshot(op)}


def restore(op, state: Any) -> None:
    if isinstance(state, dict) and _GENERIC in state:
        _generic_restore(op, state[_GENERIC])
        return
    op.restore_state(state)


def _is_operator(v) -> bool:
    return hasattr(v, "process") and not isinstance(v, type)


def _generic_snapshot(op) -> dict:
    out = {}
    for name, value in vars(op).items():
        if isinstance(value, (list, tuple)) and value and all(_is_operator(v) for v in value):
            out[name] = ("ops", [_generic_snapshot(v) for v in value])
            continue
        try:
            out[name] = ("value", pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - callables and options come from the plan again
            continue
    return out


def _generic_restore(op, saved: dict) -> None:
    for name, (kind, data) in saved.items():
        if kind == "ops":
            for sub, sub_saved in zip(getattr(op, name), data):
                _generic_restore(sub, sub_saved)
        else:
            setattr(op, name, pickle.loads(data))


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
        data = pickle.dumps(state, pickle.HIGHEST_PROTOCOL)
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
        """(state, positions) of the last complete snapshot, or None if there is none."""
        if self.broker.topic(self.topic) is None:
            return None
        latest: dict[bytes, Any] = {}
        for rec in self.broker.records(self.topic):
            if rec.key is not None:
                latest[rec.key] = rec
        man_rec = latest.get(self.store.encode())
        if man_rec is None or man_rec.value is None:
            return None
        man = json.loads(man_rec.value)
        parts = []
        for i in range(man["chunks"]):
            rec = latest.get(("%s/%d/%d" % (self.store, man["slot"], i)).encode())
            if rec is None or dict(rec.headers).get("gen") != str(man["gen"]).encode():
                return None
            parts.append(rec.value or b"")
        self.gen = man["gen"]
        positions = {(i, p): o for i, p, o in man["positions"]}
        return pickle.loads(b"".join(parts)), positions
