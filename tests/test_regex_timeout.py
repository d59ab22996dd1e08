"""Regular expressions are bounded: a catastrophic pattern costs one record about TIMEOUT
seconds, is logged as that record's processing error, and never freezes the interpreter;
LIKE cannot backtrack at all."""

from __future__ import annotations

import json
import random
import re
import threading
import time

import pytest

from ksql_magic import Engine
from ksql_magic.compiler.expressions import LikePattern
from ksql_magic.functions import regex as regex_fns

SLOW = "(a|aa)+$"                  # doubles its work with each extra 'a' before the '!'
LONG = "a" * 60 + "!"              # without a bound: far longer than any test run


def test_catastrophic_extract_times_out_within_the_bound():
    t0 = time.monotonic()
    with pytest.raises(regex_fns.RegexTimeout):
        regex_fns.regexp_extract(SLOW, LONG)
    assert time.monotonic() - t0 < 2 * regex_fns.TIMEOUT + 1.5


@pytest.mark.parametrize("call", [
    lambda: regex_fns.regexp_extract_all(SLOW, LONG),
    lambda: regex_fns.regexp_replace(LONG, SLOW, "x"),
    lambda: regex_fns.regexp_split_to_array(LONG, SLOW),
])
def test_every_regex_function_is_bounded(call):
    t0 = time.monotonic()
    with pytest.raises(regex_fns.RegexTimeout):
        call()
    assert time.monotonic() - t0 < 2 * regex_fns.TIMEOUT + 1.5


def test_other_threads_keep_running_during_a_slow_match():
    """The match releases the GIL: the kernel's other threads (Stop button, display) run."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    th = threading.Thread(target=ticker)
    th.start()
    try:
        with pytest.raises(regex_fns.RegexTimeout):
            regex_fns.regexp_extract(SLOW, LONG)
    finally:
        stop.set()
        th.join()
    assert len(ticks) >= 10


def test_good_patterns_still_match():
    assert regex_fns.regexp_extract_group("(\\d+)-(\\d+)", "tel 12-34", 2) == "34"
    assert regex_fns.regexp_extract("(?<year>\\d{4})", "in 2024") == "2024"
    assert regex_fns.regexp_replace("a.b.c", "\\.", "-") == "a-b-c"
    assert regex_fns.regexp_split_to_array("a1b22c", "(\\d)+") == ["a", "b", "c"]


def test_a_timed_out_record_is_logged_and_the_query_moves_on():
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM s (id VARCHAR KEY, txt VARCHAR) WITH (KAFKA_TOPIC='s', "
                   "VALUE_FORMAT='JSON', PARTITIONS=1);")
    engine.execute("CREATE STREAM out AS SELECT id, REGEXP_EXTRACT('%s', txt) AS m FROM s;" % SLOW)
    for txt in ("aa", LONG, "aaa"):
        engine.produce("s", json.dumps({"TXT": txt}), key="k")
    t0 = time.monotonic()
    engine.drain()
    assert time.monotonic() - t0 < 2 * regex_fns.TIMEOUT + 2
    assert [json.loads(r.value)["M"] for r in engine.records("OUT")] == ["aa", "aaa"]
    logged = [json.loads(r.value)["MESSAGE"] for r in engine.records("default_ksql_processing_log")]
    assert len(logged) == 1
    assert "Timed out" in logged[0]["RECORDPROCESSINGERROR"]["ERRORMESSAGE"]
    engine.close()


def test_like_on_a_pathological_pattern_never_backtracks():
    """LIKE does not use a backtracking regex at all: `%a%a...%b` over a long run of a's
    (seconds as `.*a.*a...b`) is decided in linear time, and rightly."""
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM s (id VARCHAR KEY, txt VARCHAR) WITH (KAFKA_TOPIC='s', "
                   "VALUE_FORMAT='JSON', PARTITIONS=1);")
    pattern = "%a" * 12 + "%_b%"
    engine.execute("CREATE STREAM out AS SELECT id, txt FROM s WHERE txt LIKE '%s';" % pattern)
    engine.produce("s", json.dumps({"TXT": "a" * 13 + "xbz"}), key="k")
    engine.produce("s", json.dumps({"TXT": "a" * 20000}), key="k")
    engine.produce("s", json.dumps({"TXT": "a" * 20000 + "b"}), key="k")
    t0 = time.monotonic()
    engine.drain()
    assert time.monotonic() - t0 < 1.0
    assert [json.loads(r.value)["TXT"][-3:] for r in engine.records("OUT")] == ["xbz", "aab"]
    assert engine.processing_log.count == 0
    engine.close()


def _like_by_regex(pattern: str, value: str, escape=None) -> bool:
    """The reference: LIKE as one backtracking regular expression."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.fullmatch("".join(out), value, re.DOTALL) is not None


def test_like_agrees_with_its_regex_reading():
    rnd = random.Random(11)
    for _ in range(5000):
        pattern = "".join(rnd.choice("ab%_!") for _ in range(rnd.randrange(0, 8)))
        value = "".join(rnd.choice("ab%_!") for _ in range(rnd.randrange(0, 9)))
        for esc in (None, "!"):
            assert LikePattern(pattern, esc).matches(value) == _like_by_regex(pattern, value, esc), \
                (pattern, value, esc)


def test_stop_ends_a_batch_of_timing_out_records_early():
    """A push query over many records that each time out: Stop returns after about one
    record's timeout, not after the whole batch."""
    engine = Engine(properties={"auto.offset.reset": "earliest"})
    engine.execute("CREATE STREAM s (id VARCHAR KEY, txt VARCHAR) WITH (KAFKA_TOPIC='s', "
                   "VALUE_FORMAT='JSON', PARTITIONS=1);")
    for _ in range(40):                       # 40 x TIMEOUT if the batch ran to its end
        engine.produce("s", json.dumps({"TXT": LONG}), key="k")
    engine.execute("SELECT REGEXP_EXTRACT('%s', txt) AS m FROM s EMIT CHANGES;" % SLOW)
    [query] = engine.queries.values()         # the push query, the only one
    runner = threading.Thread(target=engine.drain)
    runner.start()
    time.sleep(3 * regex_fns.TIMEOUT)         # a few records in
    t0 = time.monotonic()
    query.stop()
    stopped_after = time.monotonic() - t0
    runner.join(timeout=10)
    assert not runner.is_alive()
    assert stopped_after < 2 * regex_fns.TIMEOUT + 1.5
    assert query.status()["state"] == "STOPPED"
    assert query.status()["processing_errors"] < 40
    engine.close()
