"""Window assignment and session merging, as Kafka Streams defines them.

Why pure functions: tumbling is hopping with advance == size (one code path), and the
aggregation operator only asks "which windows does this timestamp fall in" and "when is a
window closed"; everything about window shape lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# ksqlDB's default grace period when a window has none: Kafka Streams' legacy 24 hours.
DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TimeWindows:
    """Tumbling or hopping windows: [start, start + size) every ``advance`` ms."""
    size: int
    advance: int
    grace: int = DEFAULT_GRACE_MS
    retention: Optional[int] = None

    def assign(self, ts: int) -> list[tuple[int, int]]:
        """Every window containing ``ts``, oldest first (Kafka's TimeWindows.windowsFor)."""
        size, adv = self.size, self.advance
        start = max(0, ts - size + adv) // adv * adv
        out = []
        while start <= ts:
            out.append((start, start + size))
            start += adv
        return out

    def is_open(self, end: int, stream_time: int) -> bool:
        """A window accepts records until stream time passes end + grace."""
        return end > stream_time - self.grace

    def keep_until(self, end: int) -> int:
        """Stream time after which the window's state may be dropped (retention)."""
        span = max(self.retention or 0, self.size + self.grace)
        return end - self.size + span


def tumbling(size: int, grace: Optional[int] = None, retention: Optional[int] = None) -> TimeWindows:
    return TimeWindows(size, size, DEFAULT_GRACE_MS if grace is None else grace, retention)


def hopping(size: int, advance: int, grace: Optional[int] = None,
            retention: Optional[int] = None) -> TimeWindows:
    return TimeWindows(size, advance, DEFAULT_GRACE_MS if grace is None else grace, retention)


@dataclass(frozen=True)
class SessionWindows:
    """Session windows: records closer than ``gap`` ms share a window [first ts, last ts]."""
    gap: int
    grace: int = DEFAULT_GRACE_MS
    retention: Optional[int] = None

    def overlapping(self, sessions, ts: int) -> list[tuple[int, int]]:
        """The existing sessions a record at ``ts`` merges with."""
        gap = self.gap
        return [s for s in sessions if s[1] >= ts - gap and s[0] <= ts + gap]

    def merged(self, parts, ts: int) -> tuple[int, int]:
        start = min([ts] + [s[0] for s in parts])
        end = max([ts] + [s[1] for s in parts])
        return (start, end)

    def is_open(self, end: int, stream_time: int) -> bool:
        return end + self.grace >= stream_time

    def keep_until(self, end: int) -> int:
        return end + max(self.retention or 0, self.gap + self.grace)


def from_spec(spec) -> "TimeWindows | SessionWindows":
    """ast.WindowSpec -> window definition (one table entry per kind)."""
    return _KINDS[spec.kind](spec)


_KINDS = {
    "TUMBLING": lambda s: tumbling(s.size, s.grace, s.retention),
    "HOPPING": lambda s: hopping(s.size, s.advance or s.size, s.grace, s.retention),
    "SESSION": lambda s: SessionWindows(s.size, DEFAULT_GRACE_MS if s.grace is None else s.grace,
                                        s.retention),
}
