#!/usr/bin/env bash
# The main job on a fresh machine: install ksql_magic and open the demos in JupyterLab
# (embedded broker: nothing else to start; the Kafka demo starts a broker of its own).
#   --demo    play a seed example in the terminal instead
#   --flink   also install Java and a standalone Flink (scripts/flink/setup.sh, once), so
#             notebooks/fraud_on_flink.ipynb runs: it starts the cluster itself
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[notebook]'
if [ "${1:-}" = "--demo" ]; then exec .venv/bin/python -m ksql_magic.demo; fi
if [ "${1:-}" = "--flink" ]; then bash scripts/flink/setup.sh; fi
ROOT_ARGS=""
if [ "$(id -u)" = 0 ]; then ROOT_ARGS="--allow-root"; fi   # JupyterLab refuses root otherwise
exec .venv/bin/jupyter lab --notebook-dir=notebooks $ROOT_ARGS ${JUPYTER_ARGS:-}
