"""Date and time scalar functions (ksqlDB category DATE / TIME).

Values are ints (types.py): TIMESTAMP ms since the epoch, DATE days since the epoch, TIME ms
since midnight. Patterns are Java's, handled by ``javatime``. Time units arrive as strings
holding the canonical unit name ('MILLISECONDS' ... 'DAYS'). A value that does not parse
raises ValueError, which the runtime reports per record as ksqlDB does.
"""

from __future__ import annotations

import time as _time
import datetime as _dt

from . import javatime as jt
from .registry import scalar

C = "DATE / TIME"
DAY_MS = 86_400_000
_UNIT_MS = {"NANOSECONDS": 1e-6, "MICROSECONDS": 1e-3, "MILLISECONDS": 1, "SECONDS": 1000,
            "MINUTES": 60_000, "HOURS": 3_600_000, "DAYS": DAY_MS}
for _u in list(_UNIT_MS):
    _UNIT_MS[_u[:-1]] = _UNIT_MS[_u]


def unit_ms(unit: str) -> float:
    try:
        return _UNIT_MS[unit.upper()]
    except KeyError:
        raise ValueError("Unknown time unit: '%s'" % unit) from None


def parse_iso_date(s: str) -> int:
    return jt.parse_millis(s, "yyyy-MM-dd") // DAY_MS


def parse_iso_time(s: str) -> int:
    return jt.parse_millis(s, "HH:mm:ss" if len(s) <= 8 else "HH:mm:ss.SSS")


def parse_iso_timestamp(s: str) -> int:
    s = s.strip()
    if len(s) <= 10:
        return jt.parse_millis(s, "yyyy-MM-dd")
    body = s.replace(" ", "T", 1)
    pattern = "yyyy-MM-dd'T'HH:mm" + (":ss" if len(body) >= 19 else "")
    rest = body[len("2000-01-01T00:00:00"):] if len(body) >= 19 else body[16:]
    if rest.startswith("."):
        digits = len(rest) - len(rest[1:].lstrip("0123456789"))
        pattern += "." + "S" * (digits - 1)
        rest = rest[digits:]
    if rest:
        pattern += "X"
    return jt.parse_millis(body, pattern)


# -- now / epoch --------------------------------------------------------------------------
@scalar("UNIX_TIMESTAMP", [], "BIGINT", C, "Milliseconds since the epoch, now or of a TIMESTAMP.")
def unix_timestamp_now():
    return int(_time.time() * 1000)


@scalar("UNIX_TIMESTAMP", ["TIMESTAMP ts"], "BIGINT", C)
@scalar("UNIX_DATE", ["DATE date"], "INTEGER", C)
@scalar("FROM_UNIXTIME", ["BIGINT milliseconds"], "TIMESTAMP", C,
        "The TIMESTAMP of milliseconds since the epoch.")
@scalar("FROM_DAYS", ["INTEGER days"], "DATE", C, "The DATE of days since the epoch.")
def same_number(x):
    return x


@scalar("UNIX_DATE", [], "INTEGER", C, "Days since the epoch, today or of a DATE.")
def unix_date_now():
    return int(_time.time() // 86400)


# -- legacy string conversions ------------------------------------------------------------
@scalar("DATETOSTRING", ["INTEGER epochDays", "STRING formatPattern"], "STRING", C,
        "Formats days since the epoch with a pattern.")
def datetostring(days, pattern):
    if days is None or pattern is None:
        return None
    return jt.format_millis(days * DAY_MS, pattern)


@scalar("STRINGTODATE", ["STRING formattedDate", "STRING formatPattern"], "INTEGER", C,
        "Parses a date string into days since the epoch.")
def stringtodate(s, pattern):
    if s is None or pattern is None:
        return None
    return jt.parse_millis(s, pattern) // DAY_MS


@scalar("TIMESTAMPTOSTRING", ["BIGINT epochMilli", "STRING formatPattern"], "STRING", C,
        "Formats epoch milliseconds with a pattern (UTC or a time zone).")
def timestamptostring(ms, pattern):
    return timestamptostring_tz(ms, pattern, "UTC")


@scalar("TIMESTAMPTOSTRING", ["BIGINT epochMilli", "STRING formatPattern", "STRING timeZone"],
        "STRING", C)
def timestamptostring_tz(ms, pattern, tz):
    if ms is None or pattern is None or tz is None:
        return None
    return jt.format_millis(ms, pattern, tz)


@scalar("STRINGTOTIMESTAMP", ["STRING formattedTimestamp", "STRING formatPattern"], "BIGINT",
        C, "Parses a timestamp string into epoch milliseconds.")
def stringtotimestamp(s, pattern):
    return stringtotimestamp_tz(s, pattern, "UTC")


@scalar("STRINGTOTIMESTAMP", ["STRING formattedTimestamp", "STRING formatPattern",
                              "STRING timeZone"], "BIGINT", C)
def stringtotimestamp_tz(s, pattern, tz):
    if s is None or pattern is None or tz is None:
        return None
    return jt.parse_millis(s, pattern, tz)


# -- typed format / parse -----------------------------------------------------------------
scalar("FORMAT_TIMESTAMP", ["TIMESTAMP ts", "STRING formatPattern"], "STRING", C,
       "Formats a TIMESTAMP with a pattern.")(timestamptostring)
scalar("FORMAT_TIMESTAMP", ["TIMESTAMP ts", "STRING formatPattern", "STRING timeZone"],
       "STRING", C)(timestamptostring_tz)
scalar("PARSE_TIMESTAMP", ["STRING formattedTimestamp", "STRING formatPattern"], "TIMESTAMP",
       C, "Parses a string into a TIMESTAMP.")(stringtotimestamp)
scalar("PARSE_TIMESTAMP", ["STRING formattedTimestamp", "STRING formatPattern",
                           "STRING timeZone"], "TIMESTAMP", C)(stringtotimestamp_tz)
scalar("FORMAT_DATE", ["DATE date", "STRING formatPattern"], "STRING", C,
       "Formats a DATE with a pattern.")(datetostring)
scalar("PARSE_DATE", ["STRING formattedDate", "STRING formatPattern"], "DATE", C,
       "Parses a string into a DATE.")(stringtodate)


@scalar("FORMAT_TIME", ["TIME time", "STRING formatPattern"], "STRING", C,
        "Formats a TIME with a pattern.")
def format_time(ms, pattern):
    if ms is None or pattern is None:
        return None
    return jt.format_millis(ms, pattern)


@scalar("PARSE_TIME", ["STRING formattedTime", "STRING formatPattern"], "TIME", C,
        "Parses a string into a TIME.")
def parse_time(s, pattern):
    if s is None or pattern is None:
        return None
    return jt.parse_millis(s, pattern) % DAY_MS


@scalar("CONVERT_TZ", ["TIMESTAMP ts", "STRING fromTimeZone", "STRING toTimeZone"],
        "TIMESTAMP", C, "Shifts a TIMESTAMP's wall-clock time from one zone to another.")
def convert_tz(ms, from_tz, to_tz):
    if ms is None or from_tz is None or to_tz is None:
        return None
    return ms + _offset_ms(ms, to_tz) - _offset_ms(ms, from_tz)


def _offset_ms(ms: int, tz: str) -> int:
    dt = (jt.EPOCH + _dt.timedelta(milliseconds=ms)).astimezone(jt.zone(tz))
    return int(dt.utcoffset().total_seconds() * 1000)


# -- arithmetic ---------------------------------------------------------------------------
@scalar("DATEADD", ["STRING unit", "INTEGER interval", "DATE date"], "DATE", C,
        "Adds an interval to a DATE.")
def dateadd(unit, n, days):
    if unit is None or n is None or days is None:
        return None
    return days + int(n * unit_ms(unit) // DAY_MS)


@scalar("DATESUB", ["STRING unit", "INTEGER interval", "DATE date"], "DATE", C,
        "Subtracts an interval from a DATE.")
def datesub(unit, n, days):
    return dateadd(unit, None if n is None else -n, days)


@scalar("TIMEADD", ["STRING unit", "INTEGER interval", "TIME time"], "TIME", C,
        "Adds an interval to a TIME, wrapping at midnight.")
def timeadd(unit, n, ms):
    if unit is None or n is None or ms is None:
        return None
    return int(ms + n * unit_ms(unit)) % DAY_MS


@scalar("TIMESUB", ["STRING unit", "INTEGER interval", "TIME time"], "TIME", C,
        "Subtracts an interval from a TIME, wrapping at midnight.")
def timesub(unit, n, ms):
    return timeadd(unit, None if n is None else -n, ms)


@scalar("TIMESTAMPADD", ["STRING unit", "BIGINT interval", "TIMESTAMP ts"], "TIMESTAMP", C,
        "Adds an interval to a TIMESTAMP.")
def timestampadd(unit, n, ms):
    if unit is None or n is None or ms is None:
        return None
    return int(ms + n * unit_ms(unit))


@scalar("TIMESTAMPSUB", ["STRING unit", "BIGINT interval", "TIMESTAMP ts"], "TIMESTAMP", C,
        "Subtracts an interval from a TIMESTAMP.")
def timestampsub(unit, n, ms):
    return timestampadd(unit, None if n is None else -n, ms)
