#!/usr/bin/env bash
# What tests/test_browser.py needs on a fresh Debian machine: Debian's chromium (never a
# browser downloaded by Playwright) and, in .venv when it exists, the Python packages that
# drive it (playwright, jupyterlab) and render live charts offline (anywidget,
# vl-convert-python). Idempotent; safe to run on every CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-dejavu-core
fi
PY=${PYTHON_FOR_TESTS:-.venv/bin/python}
if [ -x "$PY" ]; then
    "$PY" -m pip install -q playwright jupyterlab anywidget vl-convert-python nbclient nbformat
fi
/usr/bin/chromium --version || true
