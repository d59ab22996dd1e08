"""The changelog's state encoding: data only, tagged, versioned; anything else is refused."""

import math
import pickle
from collections import deque
from decimal import Decimal

import pytest

from ksql_magic.runtime import state_codec
from ksql_magic.runtime.state_codec import StateEncodeError, StateFormatError


def test_every_state_value_type_round_trips_with_its_type():
    value = {
        "none": None, "flag": True, "n": -7, "big": 2 ** 80, "x": 1.5,
        "dec": Decimal("12.340"), "raw": b"\x00\xffk", "pair": (1, ("a", None)),
        "nested": [[1, 2], {"k": [3]}], (1, "t"): "tuple key", 5: "int key",
        "set": {1, "b", (2, 3)}, "queue": deque([(1, "k")]),
    }
    back = state_codec.roundtrip(value)
    assert back == value
    assert type(back["pair"]) is tuple and type(back["queue"]) is deque
    assert back["dec"].as_tuple() == Decimal("12.340").as_tuple()


def test_non_finite_floats_round_trip():
    back = state_codec.roundtrip([math.nan, math.inf, -math.inf, -0.0])
    assert math.isnan(back[0]) and back[1:3] == [math.inf, -math.inf]
    assert math.copysign(1, back[3]) == -1


def test_a_plain_dict_cannot_pose_as_a_tag():
    assert state_codec.roundtrip({"t": [1, 2]}) == {"t": [1, 2]}


def test_objects_of_other_classes_are_not_encoded():
    class Acc:
        pass
    with pytest.raises(StateEncodeError, match="Acc"):
        state_codec.dumps([Acc()])
    with pytest.raises(StateEncodeError, match="function"):
        state_codec.dumps({"f": lambda: 1})


class _Boom:
    def __reduce__(self):
        return (print, ("unpickled!",))


@pytest.mark.parametrize("payload, reason", [
    (pickle.dumps(_Boom()), "not state data"),
    (b'{"format": "ksql-magic-state", "version": 99, "state": 1}', "format version 99"),
    (b'{"version": 1, "state": 1}', "not a ksql-magic-state document"),
    (b'{"format": "ksql-magic-state", "version": 1, "state": {"x": "1"}}', "unknown state tag"),
    (b'{"format": "ksql-magic-state", "version": 1, "state": {"t": [], "s": []}}', "not a state tag"),
    (b'{"format": "ksql-magic-state", "version": 1, "state": {"m": [[[1], 2]]}}', "not hashable"),
    (b'{"format": "ksql-magic-state", "version": 1, "state": {"n": "abc"}}', "malformed"),
    (b'{"format": "ksql-magic-state", "version": 1, "state": {"b": "!!"}}', "malformed"),
    (b'{"format": "ksql-magic-state", "version": 1}', "holds no state"),
])
def test_what_this_version_did_not_write_is_refused_with_a_reason(payload, reason):
    with pytest.raises(StateFormatError, match=reason):
        state_codec.loads(payload)


def test_nesting_beyond_the_limit_is_refused_not_a_crash():
    n = state_codec.MAX_DEPTH + 5
    doc = b'{"format": "ksql-magic-state", "version": 1, "state": ' + b"[" * n + b"]" * n + b"}"
    with pytest.raises(StateFormatError, match="deeper"):
        state_codec.loads(doc)
