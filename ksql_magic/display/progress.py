"""How far a live query is from the end of its input, and how fast it goes now.

Why in the display: the runtime counts records in and out; what a user watching a fast
stream needs is the distance to the input's end (records, and event-time seconds), the
current rate (not the average since start) and a word when the query falls behind or reads
nothing because it started at the end of the input (``auto.offset.reset`` = ``latest``).
Broker calls are cached for a second, so a view refreshing 4 times a second asks once.
"""

from __future__ import annotations

import collections
import time

from ..runtime.query import _end_offset

CACHE_S = 1.0            # backlog computed at most once a second
RATE_WINDOW_S = 3.0      # the current rate: records in over the last seconds
IDLE_HINT_S = 3.0        # a query that read nothing for this long may have started at the end
BEHIND_RECORDS = 1000    # below this, a backlog is a batch in flight, not falling behind


def runtime_query(handle):
    """The runtime ``Query`` behind a live handle (a persistent query's, not its watch's)."""
    engine = getattr(handle, "engine", None)
    if engine is not None and getattr(handle, "query_id", None):
        found = getattr(engine, "queries", {}).get(handle.query_id)
        if found is not None:
            return found
    try:
        return getattr(handle, "query", None)
    except Exception:       # noqa: BLE001 - a handle that cannot say has no backlog
        return None


def backlog(query) -> tuple:
    """(records between the query's positions and its inputs' ends, event-time ms of the
    newest unread record or None, records skipped at start). Partitions without a backlog
    cost one end-offset look-up each."""
    behind, newest, skipped = 0, None, 0
    for inp in list(getattr(query, "inputs", None) or []):
        for partition, position in list(inp.positions.items()):
            end = _end_offset(inp.broker, inp.topic, partition)
            skipped += position
            if end <= position:
                continue
            behind += end - position
            last = inp.broker.fetch(inp.topic, partition, end - 1, 1)
            if last:
                newest = last[-1].timestamp if newest is None else max(newest, last[-1].timestamp)
    return behind, newest, skipped


class Progress:
    """Adds ``behind_records``, ``behind_seconds``, the current ``rate``, ``falling_behind``
    and an offset ``hint`` to a status dict."""

    def __init__(self, handle, clock=time.monotonic):
        self.handle, self.clock = handle, clock
        self.started = clock()
        self.samples: collections.deque = collections.deque()
        self._cached, self._cached_at, self._cached_in = None, -CACHE_S, None

    def _backlog(self, records_in: int):
        """Recomputed once a second, or as soon as the query has read more (a finished
        catch-up shows at once, not a second later)."""
        now = self.clock()
        if now - self._cached_at >= CACHE_S or records_in != self._cached_in:
            self._cached_in = records_in
            query = runtime_query(self.handle)
            try:        # no inputs read in the kernel (a Flink job): no backlog to show
                self._cached = backlog(query) if getattr(query, "inputs", None) else None
            except Exception:       # noqa: BLE001 - broker away: the status says so already
                self._cached = None
            self._cached_at = now
        return self._cached

    def _rate(self, records_in: int) -> float:
        now = self.clock()
        self.samples.append((now, records_in))
        while len(self.samples) > 2 and now - self.samples[0][0] > RATE_WINDOW_S:
            self.samples.popleft()
        (t0, n0), (t1, n1) = self.samples[0], self.samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def enrich(self, status: dict, fresh: bool = False) -> dict:
        """``fresh`` skips the cache (a user asking ``view.status()`` gets today's figure)."""
        if fresh:
            self._cached_at = -CACHE_S
        records_in = int(status.get("records_in") or 0)
        if len(self.samples) or status.get("state") == "RUNNING":
            status["rate"] = self._rate(records_in)
        found = self._backlog(records_in)
        if found is None:
            return status
        behind, newest, skipped = found
        status["behind_records"] = behind
        stream_time = status.get("stream_time")
        if behind and newest is not None and stream_time is not None:
            status["behind_seconds"] = max(newest - stream_time, 0) / 1000.0
        rate = float(status.get("rate") or 0.0)
        status["falling_behind"] = behind >= max(BEHIND_RECORDS, 2 * rate)
        if records_in == 0 and skipped and self.clock() - self.started >= IDLE_HINT_S:
            status["hint"] = ("no input read yet: this query started at the end of its input "
                              "(auto.offset.reset = latest), after %s earlier records. To read "
                              "them, run SET 'auto.offset.reset'='earliest'; and the query again."
                              % format(skipped, ","))
        return status
