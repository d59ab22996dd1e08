"""Offset commits of a persistent query: where it starts, when it commits, what it commits.

Each persistent query reads through its own consumer group, named as ksqlDB names it
(``_confluent-ksql-<service id>query_<QUERY_ID>``). Offsets are committed only after the
outputs of the processed records are acknowledged (the sink's ``produce_batch`` returns
after the acks), so a crash loses nothing: at worst the records after the last commit are
read again (at-least-once). A stateful query also writes its state, with the positions it
reflects, to its changelog (``changelog.py``) before the commit, and on restart resumes
from the snapshot's positions, so its state never counts a record twice.

``auto.offset.reset`` applies only to partitions the group has no committed offset for.
"""

from __future__ import annotations

import time
from typing import Optional

from .changelog import ChangelogStore, restore, snapshot
from .state_codec import StateEncodeError, StateFormatError, paused_gc

INTERNAL_PREFIX = "_confluent-ksql-"


def group_id(service_id: str, query_id: str) -> str:
    return "%s%squery_%s" % (INTERNAL_PREFIX, service_id, query_id)


def changelog_topic(service_id: str, query_id: str, store: str) -> str:
    return "%s-%s-changelog" % (group_id(service_id, query_id), store)


def keeps_changelog(broker, properties: dict) -> bool:
    """Changelogs on a real cluster; the embedded broker dies with the kernel, so writing
    them there buys nothing (set ``ksql.magic.state.changelog`` to force it, e.g. in tests)."""
    forced = str(properties.get("ksql.magic.state.changelog", "")).lower()
    if forced in ("true", "false"):
        return forced == "true"
    return not getattr(broker, "supports_seq", False)


class Checkpointer:
    """The commit policy of one persistent query."""

    def __init__(self, broker, service_id: str, query_id: str, *, interval_ms: int = 2000,
                 changelog: bool = False, store: str = "state"):
        self.broker = broker
        self.group = group_id(service_id, query_id)
        self.interval = max(interval_ms, 0) / 1000.0
        self.changelog = (ChangelogStore(broker, changelog_topic(service_id, query_id, store), store)
                          if changelog else None)
        self.last_commit = time.monotonic()
        self.committed: dict = {}
        self.restored_positions: Optional[dict] = None
        self.refused: Optional[str] = None       # why the changelog's state was not restored
        self._last_positions: Optional[dict] = None

    # -- start ------------------------------------------------------------------------------
    def restore_operator(self, op) -> None:
        """Load the last snapshot into ``op`` (a stateful plan's operator), remembering the
        positions it reflects. A snapshot that does not decode or fit the operator is not
        used: ``refused`` says why, and the query must not start (see ``changelog``)."""
        if self.changelog is None:
            return
        self.changelog.ensure_topic()
        try:
            with paused_gc():
                loaded = self.changelog.load()
                if loaded is None:
                    return
                state, positions = loaded
                restore(op, state)
        except StateFormatError as e:
            self.refused = "state in changelog topic %s could not be restored: %s" % (
                self.changelog.topic, e)
            return
        self.restored_positions = positions

    def discard_refused(self) -> None:
        """Delete a changelog whose state was refused (on TERMINATE), so that the query
        created again starts empty instead of being refused again."""
        if self.refused is not None and self.changelog is not None:
            try:
                self.broker.delete_topic(self.changelog.topic)
            except Exception:  # noqa: BLE001 - already gone, or the broker refuses: nothing to keep
                pass

    def start_position(self, index: int, topic: str, partition: int, stateful: bool,
                       reset) -> int:
        """Where input ``index`` starts on ``partition``: the snapshot's position, else the
        group's committed offset (not for a stateful query without changelog: its state
        would be missing), else ``reset()`` (auto.offset.reset)."""
        if self.restored_positions is not None and (index, partition) in self.restored_positions:
            return self.restored_positions[(index, partition)]
        if stateful and self.changelog is None:
            return reset()
        committed = self._committed_for(topic)
        return committed[partition] if partition in committed else reset()

    def _committed_for(self, topic: str) -> dict:
        if topic not in self.committed:
            self.committed[topic] = self.broker.committed_offsets(self.group, topic)
        return self.committed[topic]

    # -- commit -----------------------------------------------------------------------------
    def due(self) -> bool:
        return time.monotonic() - self.last_commit >= self.interval

    def commit(self, query) -> None:
        """Snapshot (stateful queries) then commit the positions of every input. The caller
        has made sure every output so far is acknowledged."""
        positions = {(inp.index, p): o for inp in query.inputs for p, o in inp.positions.items()}
        offsets: dict = {}
        for inp in query.inputs:
            for p, o in inp.positions.items():
                k = (inp.topic, p)
                offsets[k] = min(o, offsets.get(k, o))
        self.last_commit = time.monotonic()
        if positions == self._last_positions:
            return
        op = query.plan.stateful
        if self.changelog is not None and op is not None:
            try:
                with paused_gc():
                    self.changelog.save(snapshot(op), positions)
            except StateEncodeError as e:
                # state that is no longer data (a UDAF's accumulator turned into an object):
                # the query stops with offsets uncommitted rather than lose state on restart
                query.refuse("state could not be written to changelog topic %s: %s"
                              % (self.changelog.topic, e))
                return
        changed = {k: o for k, o in offsets.items()
                   if self.committed.get(k[0], {}).get(k[1]) != o}
        if changed:
            self.broker.commit_offsets(self.group, changed)
            for (t, p), o in changed.items():
                self.committed.setdefault(t, {})[p] = o
        self._last_positions = positions
