"""String, bytes and encoding functions."""

import struct

import pytest

from ksql_magic import types as t
from ksql_magic.errors import KsqlRuntimeError
from ksql_magic.functions.registry import default_registry

REG = default_registry()


def call(name, *args, types=None):
    types = types or [t.STRING if isinstance(a, str) or a is None else
                      t.BYTES if isinstance(a, bytes) else t.INTEGER for a in args]
    return REG.resolve_scalar(name, types).fn(*args)


def test_concat_skips_nulls():
    assert call("concat", "ab", None, "cd") == "abcd"


def test_concat_ws_null_separator_is_null():
    assert call("concat_ws", None, "a", "b") is None
    assert call("concat_ws", "-", "a", None, "b") == "a-b"


@pytest.mark.parametrize("pos,expected", [(3, "nana"), (-2, "na"), (0, "banana"), (99, "")])
def test_substring_positions(pos, expected):
    assert call("substring", "banana", pos) == expected


def test_substring_with_length():
    assert call("substring", "banana", 2, 3) == "ana"


def test_substring_null_position():
    assert call("substring", "banana", None, types=[t.STRING, t.INTEGER]) is None


def test_trim_strips_control_chars():
    assert call("trim", "\t  x y \n") == "x y"


def test_lpad_and_rpad_repeat_and_truncate():
    assert call("lpad", "7", 4, "ab") == "aba7"
    assert call("rpad", "7", 4, "ab") == "7aba"
    assert call("lpad", "abcdef", 3, "x") == "abc"
    assert call("rpad", "x", -1, "y") is None


def test_bytes_lpad():
    assert call("lpad", b"ok", 5, b"-") == b"---ok"


def test_instr_occurrence_and_negative_position():
    assert call("instr", "abcabcabc", "bc", 1, 2) == 5
    assert call("instr", "abcabcabc", "bc", -1) == 8
    assert call("instr", "abc", "zz") == 0


def test_split_empty_delimiter_gives_characters():
    assert call("split", "xyz", "") == ["x", "y", "z"]
    assert call("split", ",a,", ",") == ["", "a", ""]


def test_split_to_map():
    assert call("split_to_map", "a=1;b=2", ";", "=") == {"a": "1", "b": "2"}


def test_split_to_map_takes_first_two_pieces_of_an_entry():
    assert call("split_to_map", "fruit=kiwi=green;size=s", ";", "=") == {"fruit": "kiwi", "size": "s"}


def test_split_to_map_skips_empty_and_undelimited_entries():
    assert call("split_to_map", ";;colour;shape=round;", ";", "=") == {"shape": "round"}


def test_split_to_map_later_duplicate_key_wins():
    assert call("split_to_map", "k=1,k=2", ",", "=") == {"k": "2"}


def test_split_to_map_equal_delimiters_is_null():
    assert call("split_to_map", "a=b", "=", "=") is None


def test_initcap():
    assert call("initcap", "hELLO wORLD") == "Hello World"


def test_mask_defaults_and_keep_left():
    assert call("mask", "Ab1-") == "Xxn-"
    assert call("mask_keep_left", "Abc12", 2) == "Abxnn"
    assert call("mask_right", "Abc12", 2, "*", "*", "#") == "Abc##"


def test_chr_from_code_and_escape():
    assert call("chr", 66) == "B"
    assert call("chr", "\\u0043") == "C"
    assert call("chr", -5) is None


def test_elt_and_field():
    assert call("elt", 2, "p", "q") == "q"
    assert call("elt", 3, "p", "q") is None
    assert call("field", "q", "p", "q") == 2
    assert call("field", None, "p") == 0


def test_encode_hex_to_base64():
    assert call("encode", "4869", "hex", "base64") == "SGk="


def test_to_bytes_and_from_bytes_round_trip():
    b = call("to_bytes", "hello", "utf8")
    assert b == b"hello" and call("from_bytes", b, "hex") == "68656C6C6F"


def test_len_of_string():
    assert call("len", "four") == 4


def test_md5_hex_digest():
    assert call("md5", "") == "d41d8cd98f00b204e9800998ecf8427e"


def test_from_bytes_hex_is_upper_case():
    assert call("from_bytes", b"\xca\xfe\x01", "hex") == "CAFE01"


def test_to_bytes_hex_reads_either_case():
    assert call("to_bytes", "cAfE", "HEX") == b"\xca\xfe"


def test_to_bytes_odd_length_hex_is_an_error():
    with pytest.raises(KsqlRuntimeError, match="even-length"):
        call("to_bytes", "abc", "hex")


def test_to_bytes_unknown_encoding_names_the_supported_ones():
    with pytest.raises(KsqlRuntimeError, match="Unknown encoding type 'utf16'"):
        call("to_bytes", "x", "utf16")


def test_from_bytes_ascii_replaces_non_ascii_bytes():
    assert call("from_bytes", b"a\xffb", "ascii") == "a\ufffdb"


def test_base64_without_padding_decodes():
    assert call("to_bytes", "aGk", "base64") == b"hi"


def test_encode_hex_output_stays_lower_case():
    assert call("encode", "Hi", "utf8", "hex") == "4869"


def test_encode_accepts_prefixed_hex():
    assert call("encode", "0x4869", "hex", "utf8") == "Hi"
    assert call("encode", "X'4869'", "hex", "utf8") == "Hi"


def test_encode_to_same_encoding_is_unsupported():
    with pytest.raises(KsqlRuntimeError, match="Supported input and output encodings"):
        call("encode", "Hi", "utf8", "utf8")


@pytest.mark.parametrize("name", ["lpad", "rpad"])
def test_pad_with_empty_padding_is_null_even_when_no_padding_needed(name):
    assert call(name, "long", 2, "") is None
    assert call(name, b"long", 2, b"") is None


def _from_bytes(name, *args):
    types = [t.BYTES] + [t.STRING] * (len(args) - 1)
    return REG.resolve_scalar(name, types).fn(*args)


def test_int_from_bytes_defaults_to_big_endian():
    assert _from_bytes("int_from_bytes", b"\x00\x00\x01\x02") == 258


def test_int_from_bytes_little_endian_and_sign():
    assert _from_bytes("int_from_bytes", b"\xfe\xff\xff\xff", "little_endian") == -2


def test_bigint_from_bytes_reads_eight_bytes():
    assert _from_bytes("bigint_from_bytes", (1 << 40).to_bytes(8, "big"), "BIG_ENDIAN") == 1 << 40


def test_double_from_bytes_reads_ieee754():
    assert _from_bytes("double_from_bytes", struct.pack("<d", -0.75), "LITTLE_ENDIAN") == -0.75


def test_from_bytes_null_is_null():
    assert _from_bytes("double_from_bytes", None) is None


def test_int_from_bytes_wrong_length_is_an_error():
    with pytest.raises(KsqlRuntimeError, match="Number of bytes must be equal to 4, but found 3"):
        _from_bytes("int_from_bytes", b"\x00\x01\x02")


def test_unknown_byte_order_is_an_error():
    with pytest.raises(KsqlRuntimeError, match="Byte order must be BIG_ENDIAN or LITTLE_ENDIAN"):
        _from_bytes("bigint_from_bytes", bytes(8), "MIDDLE_ENDIAN")
