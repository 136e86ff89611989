#!/usr/bin/env bash
# `make run`: a demo cluster under .run/ on 127.0.0.1:54329 with the extension
# and the demo database, gdpr-proxy on 127.0.0.1:6432, in the foreground until
# Ctrl-C / SIGTERM, which stops both cleanly. .run/ is kept for the next run.
# Usage: scripts/run.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_dir=$(cd "${1:-$GDPR_ROOT/build}" && pwd)
run="$GDPR_ROOT/.run"
pg_port=${GDPR_PG_PORT:-54329}
proxy_port=${GDPR_PROXY_PORT:-6432}
proxy_bin="$build_dir/proxy/gdpr-proxy"
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)

proxy_pid=""
stopping=0
shutdown() {
  ((stopping)) && return
  stopping=1
  echo
  echo "Stopping gdpr-proxy and PostgreSQL..."
  if [[ -n $proxy_pid ]]; then kill -TERM "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  cluster_stop "$run/cluster"
  echo "Stopped. Data is kept in .run/ for the next 'make run'."
}
trap shutdown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$run/logs"
if [[ ! -f "$run/cluster/pgdata/PG_VERSION" ]]; then
  echo "Initialising a new PostgreSQL 15 cluster in .run/cluster (port $pg_port)..."
  rm -rf "$run/cluster"
  cluster_init "$run/cluster" "$pg_port"
fi
cluster_start "$run/cluster"

if [[ -z $("${psql_admin[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'gdpr_demo'") ]]; then
  echo "Creating database gdpr_demo with the extension and the demo data..."
  "${psql_admin[@]}" -d postgres -c "CREATE DATABASE gdpr_demo"
  "${psql_admin[@]}" -d gdpr_demo -c "CREATE EXTENSION gdpr"
  "${psql_admin[@]}" -d gdpr_demo -v scale="${GDPR_DEMO_SCALE:-1}" -f "$GDPR_ROOT/sql/demo/load.sql" >"$run/logs/demo-load.log"
else
  echo "Reusing database gdpr_demo in .run/ (remove .run/ for a fresh one)."
  "${psql_admin[@]}" -d gdpr_demo -c "ALTER EXTENSION gdpr UPDATE" 2>/dev/null || true
fi

write_demo_proxy_config "$run/proxy.toml" "$proxy_port" "$pg_port"
started=0
start_proxy "$proxy_bin" "$run/proxy.toml" "$run/logs/proxy.log" "$proxy_port" && started=1
proxy_pid=$PROXY_PID  # known to the exit trap even when the start failed
((started)) || exit 1

cat <<TXT

pg_gdpr is running.
  PostgreSQL 15 + extension gdpr   127.0.0.1:$pg_port   (data in .run/cluster, log .run/cluster/server.log)
  gdpr-proxy                       127.0.0.1:$proxy_port    (log .run/logs/proxy.log)

Connect through the proxy:
  psql -h 127.0.0.1 -p $proxy_port -U postgres gdpr_demo
TXT
users=$("${psql_admin[@]}" -d gdpr_demo -tAc \
  "SELECT string_agg(format('  psql \"host=127.0.0.1 port=$proxy_port dbname=gdpr_demo user=%s\"   # policy %s, password %s', name, policy, name), E'\n' ORDER BY name) FROM gdpr.users" 2>/dev/null || true)
if [[ -n $users ]]; then
  echo "Demo end users (password = user name; demo only):"
  echo "$users"
fi
cat <<TXT
Directly to PostgreSQL (superuser, no password from 127.0.0.1; demo only):
  psql -h 127.0.0.1 -p $pg_port -U postgres gdpr_demo

Press Ctrl-C to stop.
TXT

# Stay in the foreground for as long as the proxy runs. Ctrl-C reaches the
# proxy too (same process group); it drains and exits 0, and the traps above
# stop PostgreSQL. Any other exit of the proxy is worth saying.
status=0
wait "$proxy_pid" || status=$?
proxy_pid=""
if ((status != 0)); then
  echo "gdpr-proxy exited with status $status; see .run/logs/proxy.log" >&2
  exit 1
fi
