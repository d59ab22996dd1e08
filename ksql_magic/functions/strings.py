"""String scalar functions (ksqlDB category STRING), with the BYTES overloads that share code.

Null behaviour follows ksqlDB: most functions return NULL when an argument is NULL; CONCAT and
CONCAT_WS skip NULL values; FIELD returns 0 for a NULL search string.
"""

from __future__ import annotations

import hashlib
import re
import uuid as _uuid

from .registry import scalar

S = "STRING"


def _java_trim(s: str) -> str:
    # Java's String.trim strips every char <= U+0020, not only whitespace.
    i, j = 0, len(s)
    while i < j and s[i] <= " ":
        i += 1
    while j > i and s[j - 1] <= " ":
        j -= 1
    return s[i:j]


@scalar("LCASE", ["STRING input"], S, S, "Converts a string to lower case.")
def lcase(s):
    return None if s is None else s.lower()


@scalar("UCASE", ["STRING input"], S, S, "Converts a string to upper case.")
def ucase(s):
    return None if s is None else s.upper()


@scalar("TRIM", ["STRING input"], S, S, "Removes leading and trailing whitespace.")
def trim(s):
    return None if s is None else _java_trim(s)


@scalar("LEN", ["STRING input"], "INTEGER", S, "The length of a string or bytes value.")
@scalar("LEN", ["BYTES input"], "INTEGER", S)
def length(s):
    return None if s is None else len(s)


@scalar("CONCAT", ["STRING inputs"], S, S, "Concatenates strings, skipping NULLs.", variadic=True)
def concat(*xs):
    return "".join(x for x in xs if x is not None)


@scalar("CONCAT", ["BYTES inputs"], "BYTES", S, variadic=True)
def concat_bytes(*xs):
    return b"".join(x for x in xs if x is not None)


@scalar("CONCAT_WS", ["STRING separator", "STRING inputs"], S, S,
        "Concatenates values with a separator, skipping NULLs.", variadic=True)
def concat_ws(sep, *xs):
    if sep is None:
        return None
    return sep.join(x for x in xs if x is not None)


@scalar("CONCAT_WS", ["BYTES separator", "BYTES inputs"], "BYTES", S, variadic=True)
def concat_ws_bytes(sep, *xs):
    if sep is None:
        return None
    return sep.join(x for x in xs if x is not None)


def _start(n: int, pos: int) -> int:
    """0-based start of a 1-based SQL position (0 reads as the first character, as ksqlDB
    does; negative counts from the end)."""
    if pos == 0:
        return 0
    return min(pos - 1, n) if pos > 0 else max(n + pos, 0)


@scalar("SUBSTRING", ["STRING str", "INTEGER pos"], S, S,
        "The substring from a 1-based position (negative counts from the end).")
@scalar("SUBSTRING", ["BYTES str", "INTEGER pos"], "BYTES", S)
def substring(s, pos):
    if s is None or pos is None:
        return None
    return s[_start(len(s), pos):]


@scalar("SUBSTRING", ["STRING str", "INTEGER pos", "INTEGER length"], S, S)
@scalar("SUBSTRING", ["BYTES str", "INTEGER pos", "INTEGER length"], "BYTES", S)
def substring_len(s, pos, n):
    if s is None or pos is None or n is None:
        return None
    start = _start(len(s), pos)
    end = max(min(start + n, len(s)), start)
    return s[start:end]


@scalar("REPLACE", ["STRING str", "STRING old", "STRING new"], S, S,
        "Replaces every occurrence of a substring.")
def replace(s, old, new):
    if s is None or old is None or new is None:
        return None
    return s.replace(old, new)


def _pad(s, n, pad, left):
    """ksqlDB's LPAD/RPAD: NULL for an empty padding or a negative length, even if the input
    needs no padding."""
    if s is None or n is None or pad is None or n < 0 or not pad:
        return None
    if len(s) >= n:
        return s[:n]
    need = n - len(s)
    fill = (pad * (need // len(pad) + 1))[:need]
    return fill + s if left else s + fill


@scalar("LPAD", ["STRING input", "INTEGER length", "STRING padding"], S, S,
        "Pads on the left to a length (truncating longer input).")
@scalar("LPAD", ["BYTES input", "INTEGER length", "BYTES padding"], "BYTES", S)
def lpad(s, n, pad):
    return _pad(s, n, pad, True)


@scalar("RPAD", ["STRING input", "INTEGER length", "STRING padding"], S, S,
        "Pads on the right to a length (truncating longer input).")
@scalar("RPAD", ["BYTES input", "INTEGER length", "BYTES padding"], "BYTES", S)
def rpad(s, n, pad):
    return _pad(s, n, pad, False)


@scalar("INSTR", ["STRING str", "STRING substring"], "INTEGER", S,
        "1-based position of a substring, 0 if absent.")
def instr(s, sub):
    return instr_occ(s, sub, 1, 1)


@scalar("INSTR", ["STRING str", "STRING substring", "INTEGER position"], "INTEGER", S)
def instr_pos(s, sub, pos):
    return instr_occ(s, sub, pos, 1)


@scalar("INSTR", ["STRING str", "STRING substring", "INTEGER position", "INTEGER occurrence"],
        "INTEGER", S)
def instr_occ(s, sub, pos, occ):
    if s is None or sub is None or pos is None or occ is None:
        return None
    if pos > 0:
        idx = pos - 2
        for _ in range(occ):
            idx = s.find(sub, idx + 1)
            if idx < 0:
                return 0
        return idx + 1
    idx = len(s) + pos + 1
    for _ in range(occ):
        if idx - 1 < 0:
            return 0
        idx = s.rfind(sub, 0, idx - 1 + len(sub))
        if idx < 0:
            return 0
    return idx + 1


_WORD_SPLIT = re.compile(r"\s")


@scalar("INITCAP", ["STRING input"], S, S, "Capitalizes the first letter of each word.")
def initcap(s):
    if s is None:
        return None
    return " ".join(w[:1].upper() + w[1:].lower() for w in _WORD_SPLIT.split(s))


@scalar("SPLIT", ["STRING input", "STRING delimiter"], "ARRAY<STRING>", S,
        "Splits on a delimiter; an empty delimiter splits into characters.")
@scalar("SPLIT", ["BYTES input", "BYTES delimiter"], "ARRAY<BYTES>", S)
def split(s, d):
    if s is None or d is None:
        return None
    if not d:
        return [s[i:i + 1] for i in range(len(s))] if s else [s]
    return s.split(d)


@scalar("SPLIT_TO_MAP", ["STRING input", "STRING entryDelimiter", "STRING kvDelimiter"],
        "MAP<STRING, STRING>", S, "Splits 'k1=v1,k2=v2' style text into a map.")
def split_to_map(s, entry_d, kv_d):
    """As ksqlDB's SplitToMap: empty entries and entries without the key-value delimiter
    are skipped; the first two pieces are key and value ('a:b:c' -> a: b); a later
    duplicate key wins; equal delimiters give NULL."""
    if s is None or not entry_d or not kv_d or entry_d == kv_d:
        return None
    out = {}
    for entry in s.split(entry_d):
        if kv_d in entry:
            parts = entry.split(kv_d, 2)
            out[parts[0]] = parts[1]
    return out


@scalar("CHR", ["INTEGER decimalCode"], S, S, "The character for a Unicode code point.")
def chr_int(code):
    if code is None or code < 0 or code > 0x10FFFF:
        return None
    return chr(code)


@scalar("CHR", ["STRING utf16Code"], S, S)
def chr_str(code):
    if code is None or not code.startswith("\\u") or len(code) != 6:
        return None
    try:
        return chr(int(code[2:], 16))
    except ValueError:
        return None


@scalar("ELT", ["INTEGER n", "STRING args"], S, S, "The n-th argument (1-based).",
        variadic=True)
def elt(n, *xs):
    if n is None or n < 1 or n > len(xs):
        return None
    return xs[n - 1]


@scalar("FIELD", ["STRING str", "STRING args"], "INTEGER", S,
        "1-based position of str among the arguments, 0 if absent.", variadic=True)
def field(s, *xs):
    if s is None:
        return 0
    for i, x in enumerate(xs):
        if x == s:
            return i + 1
    return 0


@scalar("UUID", [], S, S, "A random type 4 UUID.")
def uuid_new():
    return str(_uuid.uuid4())


@scalar("UUID", ["BYTES bytes"], S, S)
def uuid_bytes(b):
    if b is None or len(b) != 16:
        return None
    return str(_uuid.UUID(bytes=b))


@scalar("MD5", ["STRING input"], S, S, "The hex MD5 digest of the UTF-8 bytes of a string.")
def md5(s):
    return None if s is None else hashlib.md5(s.encode("utf-8")).hexdigest()


# -- masking ------------------------------------------------------------------------------
_MASK_DEFAULTS = ("X", "x", "n", "-")


def _mask_char(c, upper, lower, digit, other):
    if c.isupper():
        r = upper
    elif c.islower():
        r = lower
    elif c.isdigit():
        r = digit
    else:
        r = other
    return c if r is None else r[:1] or c


def _mask(s, start, end, masks):
    if s is None:
        return None
    return s[:start] + "".join(_mask_char(c, *masks) for c in s[start:end]) + s[end:]


def _masks(args):
    return tuple(args) + _MASK_DEFAULTS[len(args):]


def _mask_family(name, desc, span):
    """Declares NAME(input[, n][, upper, lower, digit, other]) for one masking region."""
    with_n = span is not None
    head = ["STRING input"] + (["INTEGER numChars"] if with_n else [])
    for extra in range(5):
        params = head + ["STRING mask%d" % i for i in range(1, extra + 1)]
        scalar(name, params, S, S, desc)(_masker(with_n, span))


def _masker(with_n, span):
    def fn(s, *args):
        if s is None:
            return None
        if with_n:
            n, args = args[0], args[1:]
            if n is None or n < 0:
                return None
            a, b = span(len(s), n)
        else:
            a, b = 0, len(s)
        return _mask(s, a, b, _masks(args))
    return fn


_mask_family("MASK", "Masks letters as X/x, digits as n, others as -.", None)
_mask_family("MASK_LEFT", "Masks the first n characters.", lambda L, n: (0, min(n, L)))
_mask_family("MASK_RIGHT", "Masks the last n characters.", lambda L, n: (max(L - n, 0), L))
_mask_family("MASK_KEEP_LEFT", "Masks all but the first n characters.",
             lambda L, n: (min(n, L), L))
_mask_family("MASK_KEEP_RIGHT", "Masks all but the last n characters.",
             lambda L, n: (0, max(L - n, 0)))
