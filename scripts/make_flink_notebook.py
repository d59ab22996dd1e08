"""Generate notebooks/fraud_on_flink.ipynb: the fraud demo with the query running on Flink.

Run: python scripts/make_flink_notebook.py   (rewrites the notebook; outputs left empty).
The notebook needs Java and the Flink install `bash scripts/run.sh --flink` makes (through
scripts/flink/setup.sh); it starts a Flink cluster and a Tansu broker itself through
ksql_magic.local (nothing from tests/) unless KSQL_FLINK_GATEWAY and KSQL_FLINK_REST (and
KSQL_FLINK_BOOTSTRAP or KSQL_MAGIC_BOOTSTRAP) name running ones. Run it headless with:
  cd notebooks && /work/venv/bin/python -m jupyter nbconvert --to notebook --execute \\
      fraud_on_flink.ipynb --output /tmp/fraud_on_flink.out.ipynb
(or with nbclient, as tests/test_notebooks.py does; it is not in the default suite because
it needs the cluster).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks" / "fraud_on_flink.ipynb"


def md(text):
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text, tags=()):
    cell = nbformat.v4.new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


SERVICES = r'''
import os
from ksql_magic import local

GATEWAY = os.environ.get("KSQL_FLINK_GATEWAY")
REST = os.environ.get("KSQL_FLINK_REST")
if GATEWAY and REST:
    FLINK = "%s?rest=%s" % (GATEWAY.split("://")[1], REST.split("://")[1])
else:
    FLINK = local.flink().address       # a cluster of our own (installed by run.sh --flink)
BOOTSTRAP = os.environ.get("KSQL_FLINK_BOOTSTRAP") or local.kafka_bootstrap()
print("Flink", FLINK, "| Kafka", BOOTSTRAP)
'''

DDL = """%%ksql
CREATE STREAM authorization_attempts (card_number VARCHAR KEY, amount DOUBLE, merchant VARCHAR,
  country VARCHAR, approved BOOLEAN, attempt_time BIGINT)
  WITH (KAFKA_TOPIC='authorization_attempts', VALUE_FORMAT='JSON', PARTITIONS=1);
SET 'auto.offset.reset'='earliest';"""

QUERY = """%%ksql fraud <<
CREATE TABLE possible_fraud AS
  SELECT card_number, COUNT(*)
  FROM authorization_attempts
  WINDOW TUMBLING (SIZE 5 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY card_number
  HAVING COUNT(*) > 3;"""

CLOSE_WINDOWS = """import json
from ksql_magic import datagen
engine = %ksql engine
events = datagen.generate("authorization_attempts", n=3000, seed=7)
last = max(e["timestamp"] for e in events)
# Flink emits a window once the watermark passes its end + grace: one later record closes all
engine.produce("authorization_attempts", json.dumps({"AMOUNT": 0.0}), "closing-record",
               timestamp=last + 3_600_000)"""

CHECK = """from collections import Counter
counts = Counter((e["key"], e["timestamp"] // 300_000) for e in events)
expected = {card for (card, _), n in counts.items() if n > 3}
fraud.wait(rows=len(expected), timeout=120)
cards = set(fraud.to_pandas()["CARD_NUMBER"])
assert cards == expected, sorted(cards ^ expected)[:5]
print("CHECK OK:", len(cards), "cards flagged by Flink, as the in-kernel engine flags them")"""

CLEANUP = """%ksql stop all
engine.flink.cancel_all()                 # Flink jobs outlive the kernel until cancelled
local.stop_all()                          # the cluster and broker this notebook started"""


def cells():
    return [
        md("""# Possible fraud, computed by Apache Flink
The same `%%ksql` statements as `04_fraud_detection`, but the persistent query runs as a
Flink job: the kernel translates it to Flink SQL and submits it to Flink's SQL Gateway over
REST (no JVM in the kernel). Flink reads and writes the same Kafka topics; the live table
and chart below read the sink topic Flink writes, in the kernel, exactly as they read the
in-kernel engine's output.

Needs Java 17 and the Flink install `bash scripts/run.sh --flink` makes (once). The next
cell starts a Flink cluster and a Kafka-protocol broker (Tansu) on loopback, through
`ksql_magic.local`, unless `KSQL_FLINK_GATEWAY` and `KSQL_FLINK_REST` (and
`KSQL_FLINK_BOOTSTRAP` or `KSQL_MAGIC_BOOTSTRAP`) name running ones."""),
        code(SERVICES),
        code("%load_ext ksql_magic"),
        code("%ksql connect flink://{FLINK} kafka://{BOOTSTRAP}"),
        code(DDL),
        md("""Flink's windowed aggregation emits each window once, when it is final (like
`EMIT FINAL`): when the watermark (latest event time − grace) passes the window end. The
default grace is 24 hours, as in ksqlDB, so this demo sets a short one. Flink writes the
window bounds as value columns; the kernel reads them back as `WINDOWSTART`/`WINDOWEND`,
the way ksqlDB's windowed keys read."""),
        code(QUERY),
        code("%ksql datagen authorization_attempts --count 3000 --seed 7"),
        code(CLOSE_WINDOWS),
        code(CHECK),
        md("The job, as Flink runs it:"),
        code("%%ksql\nSHOW QUERIES;"),
        code("%%ksql\nEXPLAIN CTAS_POSSIBLE_FRAUD_0;"),
        md("A statement Flink cannot run is refused before anything is submitted:"),
        code("""%%ksql --continue
CREATE TABLE top_amounts AS
  SELECT card_number, TOPK(amount, 3) FROM authorization_attempts GROUP BY card_number;""",
             ("ksql-error-expected",)),
        code(CLEANUP),
    ]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, OUT)
    print("wrote", OUT.relative_to(ROOT))


if __name__ == "__main__":
    main()
