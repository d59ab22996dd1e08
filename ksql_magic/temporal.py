"""ISO-8601 text for the temporal types, as ksqlDB's CAST reads and writes it.

TIMESTAMP prints as ``yyyy-MM-ddTHH:mm:ss.SSS`` (UTC), DATE as ``yyyy-MM-dd``, TIME as
``HH:mm:ss``; reading accepts the ISO forms ksqlDB accepts, with an optional zone offset.
"""

from __future__ import annotations

import datetime as _dt

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
