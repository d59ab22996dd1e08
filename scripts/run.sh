#!/usr/bin/env bash
# The main job on a fresh machine: install ksql_magic and open the demos in JupyterLab
# (embedded broker: nothing else to start). Pass --demo to play a seed example in the
# terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[notebook]'
if [ "${1:-}" = "--demo" ]; then exec .venv/bin/python -m ksql_magic.demo; fi
ROOT_ARGS=""
if [ "$(id -u)" = 0 ]; then ROOT_ARGS="--allow-root"; fi   # JupyterLab refuses root otherwise
exec .venv/bin/jupyter lab --notebook-dir=notebooks $ROOT_ARGS ${JUPYTER_ARGS:-}
