#!/usr/bin/env bash
# Install a standalone Flink (from the apache-flink wheel) plus the Kafka connector jars
# (shigawire-apache-flink-libraries) into a venv of its own, so the kernel's env never
# sees PyFlink's pins (pandas<2.3). Idempotent: a second run only checks and exits.
#
#   scripts/flink/setup.sh            # installs into $KSQL_FLINK_VENV (default below)
#   scripts/flink/setup.sh --print    # prints the venv path
set -euo pipefail

VENV="${KSQL_FLINK_VENV:-$HOME/.cache/ksql-magic/flink-venv}"
FLINK_VERSION=2.0.0
LIBS_VERSION=2.0.0.post1
MARKER="$VENV/.ksql-flink-$FLINK_VERSION-$LIBS_VERSION"

if [[ "${1:-}" == "--print" ]]; then echo "$VENV"; exit 0; fi

if ! command -v java >/dev/null 2>&1; then
  echo "java not found: installing openjdk-17-jre-headless" >&2
  (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) >&2
fi

if [[ -f "$MARKER" ]]; then
  echo "flink already installed in $VENV"
  exit 0
fi

PY="${KSQL_FLINK_PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q \
  "apache-flink==$FLINK_VERSION" "shigawire-apache-flink-libraries==$LIBS_VERSION" \
  2> >(grep -v "is ignored: it is neither" >&2)
"$VENV/bin/python" - <<'PY'
import os, pyflink
home = os.path.dirname(pyflink.__file__)
assert os.path.exists(os.path.join(home, "bin", "start-cluster.sh")), home
print("flink home:", home)
PY
touch "$MARKER"
echo "flink installed in $VENV"
