#!/usr/bin/env bash
# Start / stop a standalone Flink cluster (jobmanager + taskmanager) and a SQL Gateway on
# loopback, from the bin/ scripts of the apache-flink wheel installed by setup.sh.
#
#   scripts/flink/cluster.sh start [STATE_DIR]   # prints REST_URL=... GATEWAY_URL=...
#   scripts/flink/cluster.sh stop  [STATE_DIR]
#   scripts/flink/cluster.sh status [STATE_DIR]
#
# Ports: KSQL_FLINK_REST_PORT (8081), KSQL_FLINK_RPC_PORT (6123), KSQL_FLINK_GATEWAY_PORT (8083).
# The wheel ships no flink-sql-gateway jar, so unless $FLINK_HOME/opt holds one, the gateway is
# gateway_shim.py: the SQL Gateway REST v1 subset we use, served by PyFlink in the Flink venv.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CMD="${1:-status}"
STATE="${2:-${KSQL_FLINK_STATE:-$HOME/.cache/ksql-magic/flink-state}}"
VENV="$("$HERE/setup.sh" --print)"
PY="$VENV/bin/python"
REST_PORT="${KSQL_FLINK_REST_PORT:-8081}"
RPC_PORT="${KSQL_FLINK_RPC_PORT:-6123}"
GW_PORT="${KSQL_FLINK_GATEWAY_PORT:-8083}"
SLOTS="${KSQL_FLINK_SLOTS:-8}"

flink_home() { "$PY" -c 'import os, pyflink; print(os.path.dirname(pyflink.__file__))'; }

write_conf() {
  local home="$1" conf="$STATE/conf"
  mkdir -p "$conf" "$STATE/log" "$STATE/pid"
  cp "$home"/conf/log4j*.properties "$home"/conf/logback*.xml "$conf"/ 2>/dev/null || true
  echo "localhost" > "$conf/workers"
  echo "localhost:$REST_PORT" > "$conf/masters"
  local javaopts
  javaopts="$(grep -m1 -E '^\s+all:' "$home/conf/config.yaml" | sed 's/^\s*all:\s*//')"
  cat > "$conf/config.yaml" <<YAML
env:
  java:
    opts:
      all: $javaopts
  pid:
    dir: $STATE/pid
jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: $RPC_PORT
  memory:
    process:
      size: 1024m
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: $SLOTS
  memory:
    process:
      size: 2048m
parallelism:
  default: 1
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $REST_PORT
table:
  local-time-zone: UTC
sql-gateway:
  endpoint:
    rest:
      address: 127.0.0.1
      bind-address: 127.0.0.1
      port: $GW_PORT
YAML
}

wait_http() {  # url seconds
  local url="$1" n="$2"
  for _ in $(seq 1 $((n * 4))); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.25
  done
  echo "timed out waiting for $url (logs in $STATE/log)" >&2
  return 1
}

start() {
  "$HERE/setup.sh" >/dev/null
  local home; home="$(flink_home)"
  write_conf "$home"
  export FLINK_CONF_DIR="$STATE/conf" FLINK_LOG_DIR="$STATE/log" FLINK_PID_DIR="$STATE/pid"
  export PATH="$VENV/bin:$PATH"
  "$home/bin/jobmanager.sh" start >/dev/null
  "$home/bin/taskmanager.sh" start >/dev/null
  wait_http "http://127.0.0.1:$REST_PORT/overview" 60
  # wait until the taskmanager has registered its slots
  for _ in $(seq 1 120); do
    if "$PY" -c "import json,urllib.request,sys; sys.exit(0 if json.load(urllib.request.urlopen('http://127.0.0.1:$REST_PORT/overview'))['slots-total']>0 else 1)" 2>/dev/null; then break; fi
    sleep 0.25
  done
  if ls "$home"/opt/flink-sql-gateway*.jar >/dev/null 2>&1; then
    "$home/bin/sql-gateway.sh" start -Dsql-gateway.endpoint.rest.port="$GW_PORT" >/dev/null
  else
    nohup "$PY" "$HERE/gateway_shim.py" --port "$GW_PORT" --rest "127.0.0.1:$REST_PORT" \
      > "$STATE/log/gateway-shim.log" 2>&1 &
    echo $! > "$STATE/pid/gateway-shim.pid"
  fi
  wait_http "http://127.0.0.1:$GW_PORT/v1/info" 60
  echo "REST_URL=http://127.0.0.1:$REST_PORT"
  echo "GATEWAY_URL=http://127.0.0.1:$GW_PORT"
}

stop() {
  local home; home="$(flink_home)"
  export FLINK_CONF_DIR="$STATE/conf" FLINK_LOG_DIR="$STATE/log" FLINK_PID_DIR="$STATE/pid"
  if [[ -f "$STATE/pid/gateway-shim.pid" ]]; then
    kill "$(cat "$STATE/pid/gateway-shim.pid")" 2>/dev/null || true
    rm -f "$STATE/pid/gateway-shim.pid"
  fi
  if ls "$home"/opt/flink-sql-gateway*.jar >/dev/null 2>&1; then
    "$home/bin/sql-gateway.sh" stop >/dev/null 2>&1 || true
  fi
  "$home/bin/taskmanager.sh" stop >/dev/null 2>&1 || true
  "$home/bin/jobmanager.sh" stop >/dev/null 2>&1 || true
}

status() {
  "$PY" -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$REST_PORT/overview').read().decode())"
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [STATE_DIR]" >&2; exit 2 ;;
esac
