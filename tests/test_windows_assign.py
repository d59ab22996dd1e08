"""Window assignment and closing, as Kafka Streams defines them."""

from ksql_magic.runtime import windows as W


def test_tumbling_assigns_one_window():
    assert W.tumbling(1000).assign(2500) == [(2000, 3000)]


def test_hopping_assigns_every_overlapping_window():
    assert W.hopping(1000, 500).assign(1200) == [(500, 1500), (1000, 2000)]


def test_hopping_never_starts_before_zero():
    assert W.hopping(1000, 500).assign(100) == [(0, 1000)]


def test_window_closes_at_end_plus_grace():
    w = W.tumbling(1000, grace=100)
    assert w.is_open(1000, 1099) and not w.is_open(1000, 1100)


def test_default_grace_is_24_hours():
    assert W.tumbling(1000).grace == 24 * 3600 * 1000


def test_session_merges_records_within_gap():
    s = W.SessionWindows(gap=100)
    parts = s.overlapping([(0, 50), (400, 450)], 120)
    assert parts == [(0, 50)] and s.merged(parts, 120) == (0, 120)
