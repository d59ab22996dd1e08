"""runtime.guard.each_record: the shared per-record boundary of the stateful operators."""

import pytest

from ksql_magic.runtime import guard


def _summing_loop(out):
    def loop(items):
        for row, _, _ in items:
            if row < 0:
                raise ValueError("bad %d" % row)
            out.append(row)
    return loop


def _items(*rows):
    return [(r, False, "rec%d" % i) for i, r in enumerate(rows)]


def test_a_failing_record_is_reported_and_the_loop_resumes_after_it():
    out, bad = [], []
    with guard.reporting(lambda item, exc: bad.append((guard.record_of(item), str(exc)))):
        guard.each_record(_items(1, -2, 3, -4, 5), _summing_loop(out))
    assert out == [1, 3, 5]
    assert bad == [("rec1", "bad -2"), ("rec3", "bad -4")]


def test_a_loop_failing_before_taking_a_record_ends_instead_of_spinning():
    calls, bad = [], []

    def loop(items):
        calls.append(1)
        raise RuntimeError("setup failed")
    with guard.reporting(lambda item, exc: bad.append(guard.record_of(item))):
        guard.each_record(_items(1, 2), loop)
    assert bad == ["rec0", "rec1"]
    assert len(calls) == 3


def test_without_a_reporter_the_error_propagates():
    with pytest.raises(ValueError):
        guard.each_record(_items(1, -2), _summing_loop([]))


def test_the_reporter_is_scoped_to_its_block():
    with guard.reporting(lambda item, exc: None):
        pass
    with pytest.raises(ValueError):
        guard.each_record(_items(-1), _summing_loop([]))


def test_describe_names_exceptions_without_text():
    from decimal import Decimal, InvalidOperation
    with pytest.raises(InvalidOperation) as info:
        Decimal("NaN") < Decimal(1)          # decimal's signal prints as "[<class ...>]"
    assert guard.describe(info.value) == "InvalidOperation"
    assert guard.describe(ValueError("x")) == "x"
