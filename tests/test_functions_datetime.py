"""Date/time functions and the Java pattern translator."""

import pytest

from ksql_magic import types as t
from ksql_magic.functions import javatime as jt
from ksql_magic.functions.registry import default_registry

REG = default_registry()


def fn(name, *types):
    return REG.resolve_scalar(name, list(types)).fn


def test_format_with_quoted_literal_and_millis():
    assert jt.format_millis(86_400_123, "yyyy-MM-dd'T'HH:mm:ss.SSS") == "1970-01-02T00:00:00.123"


def test_parse_offset_zone():
    assert jt.parse_millis("1970-01-01 02:00:00+0200", "yyyy-MM-dd HH:mm:ssZ") == 0


def test_parse_month_name_case_insensitive():
    assert jt.parse_millis("03-FEB-1970", "dd-MMM-yyyy") == 33 * 86_400_000


def test_timestamptostring_in_zone():
    f = fn("timestamptostring", t.BIGINT, t.STRING, t.STRING)
    assert f(0, "HH:mm z", "America/New_York") == "19:00 EST"


def test_parse_timestamp_with_default_zone():
    f = fn("parse_timestamp", t.STRING, t.STRING, t.STRING)
    assert f("1970-01-01 01:00", "yyyy-MM-dd HH:mm", "+01:00") == 0


def test_format_and_parse_date():
    assert fn("format_date", t.DATE, t.STRING)(365, "yyyy/MM/dd") == "1971/01/01"
    assert fn("parse_date", t.STRING, t.STRING)("1971/01/01", "yyyy/MM/dd") == 365


def test_parse_time_returns_millis_of_day():
    assert fn("parse_time", t.STRING, t.STRING)("01:00:02", "HH:mm:ss") == 3_602_000


def test_timeadd_wraps_at_midnight():
    assert fn("timeadd", t.STRING, t.INTEGER, t.TIME)("HOURS", 2, 23 * 3_600_000) == 3_600_000


def test_dateadd_days():
    assert fn("dateadd", t.STRING, t.INTEGER, t.DATE)("DAYS", -3, 10) == 7


def test_timestampsub_minutes():
    assert fn("timestampsub", t.STRING, t.BIGINT, t.TIMESTAMP)("MINUTES", 1, 60_000) == 0


def test_convert_tz_shifts_wall_clock():
    f = fn("convert_tz", t.TIMESTAMP, t.STRING, t.STRING)
    assert f(0, "UTC", "+0100") == 3_600_000


def test_null_pattern_gives_null():
    assert fn("stringtotimestamp", t.STRING, t.STRING)("x", None) is None


def test_bad_text_raises_value_error():
    with pytest.raises(ValueError):
        fn("stringtodate", t.STRING, t.STRING)("not a date", "yyyy-MM-dd")


def test_parse_reads_lower_case_utc_designator():
    assert jt.parse_millis("1970-01-01T00:01:00z", "yyyy-MM-dd'T'HH:mm:ssX") == 60_000


def test_parse_quoted_literal_ignores_case():
    assert jt.parse_millis("1970-01-02t00:00", "yyyy-MM-dd'T'HH:mm") == 86_400_000


def test_parse_lower_case_gmt_offset():
    assert jt.parse_millis("1970-01-01 03:00 gmt+03:00", "yyyy-MM-dd HH:mm O") == 0


def test_stringtotimestamp_accepts_lower_case_zone_letter():
    f = fn("stringtotimestamp", t.STRING, t.STRING)
    assert f("2001-09-09T01:46:40z", "yyyy-MM-dd'T'HH:mm:ssX") == 1_000_000_000_000
