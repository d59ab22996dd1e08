"""Java date/time patterns (``yyyy-MM-dd'T'HH:mm:ss.SSSX``) formatted and parsed in Python.

Why our own: ksqlDB's format/parse functions and the ``timestamp_format`` property take Java
DateTimeFormatter patterns, which strftime cannot express (quoted text, ``X`` offsets, ``SSS``
fractions). A pattern is compiled once into tokens and cached; formatting and parsing walk them.

Public: ``format_millis(ms, pattern, tz)``, ``parse_millis(text, pattern, tz)``, ``zone(name)``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_MONTHS = [calendar.month_name[i] for i in range(1, 13)]
_DAYS = [calendar.day_name[i] for i in range(7)]
_ABBREV = {"UTC": "UTC", "GMT": "UTC", "Z": "UTC", "PST": "America/Los_Angeles",
           "PDT": "America/Los_Angeles", "EST": "America/New_York", "EDT": "America/New_York",
           "CST": "America/Chicago", "CDT": "America/Chicago", "MST": "America/Denver",
           "MDT": "America/Denver", "CET": "CET", "BST": "Europe/London"}
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?(?::?(\d{2}))?$")


class PatternError(ValueError):
    """A value does not match its pattern, or the pattern itself is not valid."""


@lru_cache(maxsize=256)
def zone(name: str) -> _dt.tzinfo:
    """A tzinfo for a Java zone id: region ids, 'UTC', '+0200', 'GMT+02:00', 'Z'."""
    name = name.strip()
    if name.upper() in ("UTC", "Z", "GMT", "UT"):
        return UTC
    m = _OFFSET.match(name)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        delta = _dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0),
                              seconds=int(m.group(4) or 0))
        return _dt.timezone(sign * delta)
    try:
        return ZoneInfo(_ABBREV.get(name, name))
    except Exception:
        raise PatternError("Unknown time-zone ID: %s" % name) from None


@lru_cache(maxsize=256)
def _tokens(pattern: str) -> tuple:
    """The pattern as (kind, payload) tokens: ('lit', text) or ('field', letter * count)."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "'":
            j = i + 1
            text = ""
            while j < n:
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        text += "'"
                        j += 2
                        continue
                    break
                text += pattern[j]
                j += 1
            out.append(("lit", text if j > i + 1 else "'"))
            i = j + 1
        elif c.isalpha():
            j = i
            while j < n and pattern[j] == c:
                j += 1
            out.append(("field", pattern[i:j]))
            i = j
        else:
            out.append(("lit", c))
            i += 1
    return tuple(out)


# -- formatting ---------------------------------------------------------------------------
def _offset_text(dt: _dt.datetime, count: int, z_for_zero: bool, colon=None) -> str:
    off = dt.utcoffset() or _dt.timedelta(0)
    secs = int(off.total_seconds())
    if secs == 0 and z_for_zero:
        return "Z"
    sign = "+" if secs >= 0 else "-"
    secs = abs(secs)
    hh, mm = secs // 3600, secs % 3600 // 60
    if count == 1:
        return "%s%02d" % (sign, hh) + ("%02d" % mm if mm else "")
    sep = ":" if (colon if colon is not None else count >= 3) else ""
    return "%s%02d%s%02d" % (sign, hh, sep, mm)


def _zone_name(dt: _dt.datetime, count: int) -> str:
    if count >= 4 and isinstance(dt.tzinfo, ZoneInfo):
        return str(dt.tzinfo)
    name = dt.tzname() or "UTC"
    return "UTC" if name in ("UTC", "UTC+00:00") else name


def _fmt_field(dt: _dt.datetime, f: str, ms: int) -> str:
    c, k = f[0], len(f)
    if c in "yu":
        return "%02d" % (dt.year % 100) if k == 2 else "%0*d" % (k, dt.year)
    if c in "ML":
        if k >= 4:
            return _MONTHS[dt.month - 1]
        return _MONTHS[dt.month - 1][:3] if k == 3 else "%0*d" % (k, dt.month)
    simple = {"d": dt.day, "H": dt.hour, "m": dt.minute, "s": dt.second,
              "D": dt.timetuple().tm_yday, "h": (dt.hour % 12) or 12, "k": dt.hour or 24,
              "K": dt.hour % 12, "e": dt.isoweekday(), "c": dt.isoweekday()}
    if c in simple:
        return "%0*d" % (k, simple[c])
    if c == "S":
        return ("%03d" % (ms % 1000) + "0" * 6)[:k]
    if c == "n":
        return str(ms % 1000 * 1_000_000)
    if c == "a":
        return "AM" if dt.hour < 12 else "PM"
    if c == "E":
        name = _DAYS[dt.weekday()]
        return name if k >= 4 else name[:3]
    if c == "X":
        return _offset_text(dt, k, True)
    if c == "x":
        return _offset_text(dt, k, False)
    if c == "Z":
        return _offset_text(dt, 2, False, colon=k >= 4) if k < 4 else "GMT" + _offset_text(dt, 3, False)
    if c == "z" or c == "V" or c == "O":
        return _zone_name(dt, k if c == "z" else 4)
    raise PatternError("Unknown pattern letter: %s" % c)


def format_millis(ms: int, pattern: str, tz: str | _dt.tzinfo = UTC) -> str:
    """Format epoch milliseconds with a Java pattern in a time zone."""
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    dt = (EPOCH + _dt.timedelta(milliseconds=ms)).astimezone(tzinfo)
    return "".join(p if kind == "lit" else _fmt_field(dt, p, ms) for kind, p in _tokens(pattern))


# -- parsing ------------------------------------------------------------------------------
_MONTH_RE = "|".join(_MONTHS + [m[:3] for m in _MONTHS])
_DAY_RE = "|".join(_DAYS + [d[:3] for d in _DAYS])


def _field_regex(f: str, next_numeric: bool) -> str:
    c, k = f[0], len(f)
    if c in "yu":
        return r"(\d{2})" if k == 2 else (r"([+-]?\d{%d})" % k if next_numeric else r"([+-]?\d{%d,9})" % max(k, 1))
    if c in "ML" and k >= 3:
        return "((?i:%s))" % _MONTH_RE
    if c in "MdHmshkKDec":
        return r"(\d{%d})" % k if (k > 1 or next_numeric) else r"(\d{1,2})" if c != "D" else r"(\d{1,3})"
    if c == "S":
        return r"(\d{%d})" % k
    if c == "n":
        return r"(\d{1,9})"
    if c == "a":
        return "(AM|PM|am|pm)"
    if c == "E":
        return "((?i:%s))" % _DAY_RE
    if c in "XxZ":
        return r"(Z|[+-]\d{2}(?::?\d{2})?(?::?\d{2})?|GMT[+-]\d{2}:?\d{2})"
    if c in "zVO":
        return r"([A-Za-z][A-Za-z0-9_/+\-:]*|[+-]\d{2}:?\d{2})"
    raise PatternError("Unknown pattern letter: %s" % c)


@lru_cache(maxsize=256)
def _parser(pattern: str):
    toks = _tokens(pattern)
    parts, fields = [], []
    for i, (kind, p) in enumerate(toks):
        if kind == "lit":
            parts.append(re.escape(p))
        else:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            next_numeric = bool(nxt and nxt[0] == "field" and nxt[1][0] in "yuMdHmsSDhkK")
            parts.append(_field_regex(p, next_numeric))
            fields.append(p)
    # Case-insensitive like ksqlDB's timestamp parser (parseCaseInsensitive): 'z' reads as
    # 'Z', a quoted 'T' matches 't', 'pm' as 'PM'.
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE), tuple(fields)


def _month(text: str) -> int:
    for i, m in enumerate(_MONTHS):
        if text.lower() in (m.lower(), m[:3].lower()):
            return i + 1
    raise PatternError(text)


def parse_fields(text: str, pattern: str) -> dict:
    """The fields of ``text`` read with ``pattern`` (raises PatternError if it does not match)."""
    rx, fields = _parser(pattern)
    m = rx.match(text.strip() if text else text)
    if not m:
        raise PatternError("Text '%s' could not be parsed with pattern '%s'" % (text, pattern))
    out: dict = {}
    for f, v in zip(fields, m.groups()):
        c = f[0]
        if c in "yu":
            out["year"] = 2000 + int(v) if len(f) == 2 else int(v)
        elif c in "ML":
            out["month"] = _month(v) if len(f) >= 3 else int(v)
        elif c == "S":
            out["ms"] = int((v + "000")[:3])
        elif c == "n":
            out["ms"] = int(v) // 1_000_000
        elif c in "XxZzVO":
            out["zone"] = zone(v[3:] if v.upper().startswith("GMT") and len(v) > 3 else v)
        elif c == "a":
            out["pm"] = v.upper() == "PM"
        elif c in "dHmshkKD":
            out[c] = int(v)
    return out


def parse_millis(text: str, pattern: str, tz: str | _dt.tzinfo = UTC) -> int:
    """Epoch milliseconds of ``text`` read with a Java pattern (zone from text, else ``tz``)."""
    f = parse_fields(text, pattern)
    hour = f.get("H", f.get("k", 0) % 24)
    if "h" in f or "K" in f:
        hour = f.get("h", f.get("K", 0)) % 12 + (12 if f.get("pm") else 0)
    year = f.get("year", 1970)
    if "D" in f and "month" not in f:
        day = _dt.date(year, 1, 1) + _dt.timedelta(days=f["D"] - 1)
        month, dom = day.month, day.day
    else:
        month, dom = f.get("month", 1), f.get("d", 1)
    try:
        naive = _dt.datetime(year, month, dom, hour, f.get("m", 0), f.get("s", 0))
    except ValueError as e:
        raise PatternError(str(e)) from None
    tzinfo = f.get("zone") or (zone(tz) if isinstance(tz, str) else tz)
    aware = naive.replace(tzinfo=tzinfo)
    delta = aware - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + f.get("ms", 0)
