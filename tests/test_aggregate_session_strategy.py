"""SessionWindowStrategy works against any SessionHost: it needs nothing of Aggregator."""
from types import SimpleNamespace

from ksql_magic.runtime.aggregate_session import SessionWindowStrategy
from ksql_magic.runtime.aggregate_state import Task
from ksql_magic.runtime.windows import SessionWindows


class _Sum:
    """A SUM-like aggregate with merge, as session windows need."""

    def initialize(self):
        return 0

    def merge(self, a, b):
        return a + b


class _RecordingHost:
    """A SessionHost that keeps one task and writes what it is asked to emit."""

    def __init__(self):
        self.t = Task()
        self.late = self.null_keys = 0

    def task(self, rec):
        return self.t

    def group_key(self, row):
        return None if row[0] is None else ((row[0],), (row[0],))

    def values(self, row):
        return [[row[1]]]

    def accumulate(self, accs, values):
        accs[0] += values[0][0]

    def count_null_key(self):
        self.null_keys += 1

    def count_late(self):
        self.late += 1

    def emit(self, window, g, rec, out):
        g.emitted = True
        out.append(("row", window, g.key, list(g.accs)))

    def tombstone(self, window, g, rec, out):
        out.append(("delete", window, g.key))


def _strategy(host, gap=10, grace=0, emit_final=False):
    opts = SimpleNamespace(where=None, ts_slot=2, aggs=[SimpleNamespace(fn=_Sum())],
                           windows=SessionWindows(gap, grace), emit_final=emit_final)
    return SessionWindowStrategy(opts, host)


def test_bridging_record_merges_two_sessions_and_deletes_the_later_one():
    host, out = _RecordingHost(), []
    s = _strategy(host)
    s.process([(["k", 1, 0], False, None), (["k", 2, 20], False, None),
               (["k", 4, 10], False, None)], out)
    assert out[-3:] == [("delete", (0, 0), ("k",)), ("delete", (20, 20), ("k",)),
                        ("row", (0, 20), ("k",), [7])]
    assert list(host.t.state) == [(0, 20)]


def test_record_behind_a_closed_session_is_counted_late_through_the_host():
    host, out = _RecordingHost(), []
    _strategy(host, gap=5).process([(["k", 1, 100], False, None),
                                   (["k", 1, 10], False, None)], out)
    assert host.late == 1 and len(out) == 1


def test_null_key_is_counted_through_the_host_and_not_stored():
    host, out = _RecordingHost(), []
    _strategy(host).process([([None, 1, 0], False, None)], out)
    assert host.null_keys == 1 and out == [] and host.t.state == {}


def test_emit_final_sends_a_session_once_its_end_passes_the_grace():
    host, out = _RecordingHost(), []
    s = _strategy(host, gap=5, grace=0, emit_final=True)
    s.process([(["k", 1, 0], False, None), (["k", 2, 3], False, None)], out)
    assert out == []
    s.process([(["j", 1, 50], False, None)], out)
    assert out == [("row", (0, 3), ("k",), [3])]
