"""ISO-8601 text for the temporal types, as ksqlDB's CAST reads and writes it.

TIMESTAMP prints as ``yyyy-MM-ddTHH:mm:ss.SSS`` (UTC), DATE as ``yyyy-MM-dd``, TIME as
``HH:mm:ss``; reading accepts the ISO forms ksqlDB accepts, with an optional zone offset.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_EPOCH_DATE = _dt.date(1970, 1, 1)


def format_timestamp(ms: int) -> str:
    d = _EPOCH + _dt.timedelta(milliseconds=ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (d.microsecond // 1000)


def format_date(days: int) -> str:
    return (_EPOCH_DATE + _dt.timedelta(days=days)).isoformat()


def format_time(ms: int) -> str:
    s, milli = divmod(ms, 1000)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    text = "%02d:%02d:%02d" % (h, m, sec)
    return text + (".%03d" % milli if milli else "")


def parse_timestamp(text: str) -> int:
    t = text.strip().replace(" ", "T", 1)
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    if "T" not in t:
        t += "T00:00:00"
    d = _dt.datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return int((d - _EPOCH) // _dt.timedelta(milliseconds=1))


def parse_date(text: str) -> int:
    t = text.strip()
    if "T" in t:
        return parse_timestamp(t) // 86_400_000
    return (_dt.date.fromisoformat(t) - _EPOCH_DATE).days


def parse_time(text: str) -> int:
    t = _dt.time.fromisoformat(text.strip())
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.microsecond // 1000


# ksqlDB's PartialStringToTimestampParser: a string compared with ROWTIME or a window bound
# may stop after any field ('2020', '2020-02', '2020-02-24T13'); the rest is filled with the
# earliest value and the result read as yyyy-MM-dd'T'HH:mm:ss.SSS plus an optional offset.
_FULL_CLOCK = "00:00:00.000"
_DATE_TIME = re.compile(r"(\d{4,9})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})")
_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?")


def parse_partial_timestamp(text: str) -> int:
    """Epoch milliseconds of a possibly partial date-time; ValueError when it does not read."""
    if "T" in text:
        date, rest = text.split("T", 1)
        zone = _zone_suffix(rest)
        clock = re.sub("Z$", "", rest[:len(rest) - len(zone)])
    else:
        date, clock, zone = _complete_date(text), "", ""
    if len(clock) < len(_FULL_CLOCK):
        clock += _FULL_CLOCK[len(clock):]
    m = _DATE_TIME.fullmatch(date + "T" + clock)
    if m is None:
        raise ValueError("Failed to parse timestamp '%s'" % text)
    year, month, day, hour, minute, second, milli = (int(g) for g in m.groups())
    d = _dt.datetime(year, month, _smart_day(year, month, day), tzinfo=_offset(zone))
    return int((d - _EPOCH) // _dt.timedelta(milliseconds=1)) + _clock_ms(hour, minute, second, milli)


def _zone_suffix(rest: str) -> str:
    """Java's split: the offset starts at the first '+' or, failing that, the first '-'."""
    for sign in "+-":
        if sign in rest:
            return rest[rest.index(sign):]
    return ""


def _complete_date(date: str) -> str:
    parts = date.split("-")
    return date + {1: "-01-01", 2: "-01"}.get(len(parts), "")


def _smart_day(year: int, month: int, day: int) -> int:
    """java.time's SMART resolver clamps a day past the month's end (Feb 30 -> Feb 29)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError("Invalid date: %04d-%02d-%02d" % (year, month, day))
    return min(day, calendar.monthrange(year, month)[1])


def _clock_ms(hour: int, minute: int, second: int, milli: int) -> int:
    """SMART also reads 24:00:00.000 as the end of the day, i.e. the next midnight."""
    if hour == 24 and minute == second == milli == 0:
        return 86_400_000
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("Invalid time: %02d:%02d:%02d" % (hour, minute, second))
    return ((hour * 60 + minute) * 60 + second) * 1000 + milli


def _offset(zone: str) -> _dt.timezone:
    if not zone:
        return _dt.timezone.utc
    m = _OFFSET.fullmatch(zone)
    if m is None:
        raise ValueError("Failed to parse timezone '%s'" % zone)
    sign = -1 if m.group(1) == "-" else 1
    h, mi, s = (int(g or 0) for g in m.groups()[1:])
    if h > 18 or mi > 59 or s > 59:
        raise ValueError("Failed to parse timezone '%s'" % zone)
    return _dt.timezone(sign * _dt.timedelta(hours=h, minutes=mi, seconds=s))
