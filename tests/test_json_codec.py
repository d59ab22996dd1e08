"""The plain-Python JSON codec writes the bytes orjson writes, so an old or missing orjson
changes speed, never output."""

import json

import pytest
from hypothesis import given, strategies as st

from ksql_magic.serde import json_codec

orjson = pytest.importorskip("orjson")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 64 - 1) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_plain_dumps_writes_what_orjson_writes(value):
    assert json_codec.plain_dumps(value) == orjson.dumps(value)


def test_plain_fragment_is_spliced_verbatim():
    row = {"D": json_codec.PlainFragment("1.0E7"), "N": json_codec.PlainFragment(b"1.50")}
    assert json_codec.plain_dumps(row) == b'{"D":1.0E7,"N":1.50}'


def test_plain_dumps_refuses_what_json_cannot_express():
    with pytest.raises(TypeError):
        json_codec.plain_dumps({"x": object()})
    with pytest.raises(TypeError):
        json_codec.plain_dumps(2 ** 70)


@given(json_values)
def test_plain_loads_reads_what_orjson_reads(value):
    text = orjson.dumps(value)
    assert json_codec.plain_loads(text) == orjson.loads(text)


@pytest.mark.parametrize("text", [b"NaN", b'{"a": Infinity}', b"{", b""])
def test_plain_loads_refuses_what_orjson_refuses(text):
    with pytest.raises(json.JSONDecodeError):
        json_codec.plain_loads(text)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(text)


def test_engine_output_is_the_same_without_orjson(monkeypatch):
    """The JSON serde on the plain codec writes the same records as on orjson."""
    from ksql_magic import Engine
    from ksql_magic.serde import json_format

    def run():
        e = Engine()
        e.execute("CREATE STREAM s (id INT KEY, d DOUBLE, n DECIMAL(4,2), t VARCHAR) "
                  "WITH (kafka_topic='s', value_format='JSON', partitions=1);"
                  "CREATE STREAM o AS SELECT id, d * 2 AS d2, n, t FROM s;")
        for v in (b'{"d": 5e6, "n": 1.5, "t": "caf\xc3\xa9"}', b'{"d": 1e-5, "n": 12}',
                  b'{"d": 0.25, "t": null}', b"not json"):
            e.produce("s", key=b"\x00\x00\x00\x01", value=v)
        e.drain()
        return [(r.key, r.value) for r in e.records("O")]

    accelerated = run()
    monkeypatch.setattr(json_format, "_Fragment", json_codec.PlainFragment)
    monkeypatch.setattr(json_format, "_dumps", json_codec.plain_dumps)
    monkeypatch.setattr(json_format, "_loads", json_codec.plain_loads)
    monkeypatch.setattr(json_format, "DecodeError", json.JSONDecodeError)
    monkeypatch.setattr(json_format, "EncodeError", json_codec.PlainEncodeError)
    assert run() == accelerated
    assert accelerated[0][1] == b'{"D2":1.0E7,"N":1.50,"T":"caf\xc3\xa9"}'
