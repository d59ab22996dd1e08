#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine, then the whole suite.
# Creates .venv (if missing), installs the package with its test extra, installs Debian's
# chromium for the browser test and the Flink cluster for the Flink tests when their set-up
# scripts exist, and runs pytest. Services (Tansu broker, JupyterLab, Flink) are started by
# the tests' own fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
if [ -f scripts/ci_browser_setup.sh ]; then bash scripts/ci_browser_setup.sh; fi
if [ -f scripts/flink/setup.sh ]; then bash scripts/flink/setup.sh; fi
exec .venv/bin/python -m pytest "$@"
