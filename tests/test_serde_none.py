"""NONE serde: nothing written, any key bytes ignored."""

from ksql_magic.serde import make_serde


def test_none_format_writes_null_and_ignores_input():
    s = make_serde("None", [], is_key=True, properties={})
    assert s.serialize([]) is None
    assert s.deserialize(b"data that should be ignored") == []
    assert s.deserialize(None) is None
