"""possible_fraud (tumbling COUNT with HAVING) against an independent pandas computation."""

import json

import pandas as pd

from ksql_magic import Engine, datagen
from ksql_magic.datagen.producer import produce_events

WINDOW_MS = 5 * 60 * 1000
GRACE_MS = 24 * 60 * 60 * 1000      # ksqlDB's default grace when the window names none
FRAUD = ("CREATE TABLE possible_fraud AS SELECT card_number, COUNT(*) FROM authorization_attempts "
         "WINDOW TUMBLING (SIZE 5 MINUTE) GROUP BY card_number HAVING COUNT(*) > 3;")


def _engine_final_table(events) -> dict:
    engine = Engine()
    engine.execute(datagen.ddl("authorization_attempts"))
    engine.execute(FRAUD)
    produce_events(engine, events)
    engine.drain()
    table = {}
    for r in engine.records("POSSIBLE_FRAUD"):
        k = (r.key[:-8].decode(), r.window[0])
        if r.value is None:
            table.pop(k, None)
        else:
            table[k] = json.loads(r.value)["KSQL_COL_0"]
    return table


def _pandas_final_table(events) -> dict:
    df = pd.DataFrame({"card": [e["key"] for e in events], "ts": [e["timestamp"] for e in events]})
    stream_time = df["ts"].cummax()
    df["start"] = df["ts"] // WINDOW_MS * WINDOW_MS
    df = df[df["start"] + WINDOW_MS > stream_time - GRACE_MS]
    counts = df.groupby(["card", "start"]).size()
    counts = counts[counts > 3]
    return {k: int(v) for k, v in counts.items()}


def test_possible_fraud_matches_pandas_with_disorder():
    events = datagen.generate("authorization_attempts", n=4000, seed=3,
                              out_of_order_fraction=0.05, late_fraction=0.01)
    expected = _pandas_final_table(events)
    assert expected, "the generated input must contain fraud bursts"
    assert _engine_final_table(events) == expected


def test_possible_fraud_drops_records_beyond_grace():
    ev = [{"topic": "authorization_attempts", "key": "c1", "timestamp": t,
           "value": {"card_number": "c1", "amount": 1.0}} for t in (0, 1, 2)]
    ev.append(dict(ev[0], timestamp=GRACE_MS + WINDOW_MS))      # closes window 0
    ev.append(dict(ev[0], timestamp=3))                          # late: dropped
    assert _engine_final_table(ev) == _pandas_final_table(ev) == {}
