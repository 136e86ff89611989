#!/usr/bin/env bash
# End-to-end suite: a throw-away cluster with the extension and the demo
# database, the real gdpr-proxy in front of it, and every executable
# tests/e2e/*.sh run against both (each script is one test; exit 0 = pass;
# *_lib.sh files are helpers the tests source).
# Usage: scripts/e2e.sh [BUILD_DIR] [PATTERN]
# Prints "e2e: N passed, N failed" as its last line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_dir=$(cd "${1:-$GDPR_ROOT/build}" && pwd)
pattern=${2:-${GDPR_E2E_TESTS:-*}}
work="$GDPR_ROOT/.test"
pg_port=${GDPR_TEST_PG_PORT:-54339}
proxy_port=${GDPR_TEST_PROXY_PORT:-6439}
proxy_bin="$build_dir/proxy/gdpr-proxy"

proxy_pid=""
cleanup() {
  if [[ -n $proxy_pid ]]; then kill -TERM "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  cluster_stop "$work/cluster"
}
trap cleanup EXIT

# A fresh cluster every run: tests must not depend on leftovers.
cluster_stop "$work/cluster"
rm -rf "$work"
mkdir -p "$work/tmp" "$work/logs"
chmod 777 "$work/tmp"
cluster_init "$work/cluster" "$pg_port"
cluster_start "$work/cluster"

psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)
"${psql_admin[@]}" -d postgres -c "CREATE DATABASE gdpr_demo"
"${psql_admin[@]}" -d gdpr_demo -c "CREATE EXTENSION gdpr"
if [[ -f "$GDPR_ROOT/sql/demo/load.sql" ]]; then
  "${psql_admin[@]}" -d gdpr_demo -v scale="${GDPR_TEST_SCALE:-1}" -f "$GDPR_ROOT/sql/demo/load.sql" >"$work/logs/demo-load.log"
fi

if [[ -x $proxy_bin ]]; then
  write_demo_proxy_config "$work/proxy.toml" "$proxy_port" "$pg_port"
  started=0
  start_proxy "$proxy_bin" "$work/proxy.toml" "$work/logs/proxy.log" "$proxy_port" && started=1
  proxy_pid=$PROXY_PID  # known to the exit trap even when the start failed
  ((started)) || exit 1
fi

export GDPR_HOST=127.0.0.1 GDPR_PG_PORT=$pg_port GDPR_PROXY_PORT=$proxy_port GDPR_DB=gdpr_demo
export GDPR_BUILD_DIR=$build_dir GDPR_ROOT GDPR_TMP="$work/tmp" PGCONNECT_TIMEOUT=10

passed=0 failed=0 failures=()
for t in "$GDPR_ROOT"/tests/e2e/$pattern.sh; do
  [[ -x $t ]] || continue
  name=$(basename "$t" .sh)
  [[ $name == *_lib ]] && continue  # shared helpers sourced by tests, not tests
  log="$work/logs/$name.log"
  start=$(date +%s.%N)
  if timeout 300 "$t" >"$log" 2>&1; then
    status=0
  else
    status=1
  fi
  # A script made of many cases (the bypass suite) ends with
  # "subtests: N passed, M failed"; each case counts as one test.
  summary_line=$(tail -n 1 "$log")
  if [[ $summary_line =~ ^subtests:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    ((status == 0 && BASH_REMATCH[2] == 0)) || { ((BASH_REMATCH[2] > 0)) || failed=$((failed + 1)); status=1; }
    result="ok: ${BASH_REMATCH[1]} cases"
    ((status == 0)) || { result="FAILED: ${BASH_REMATCH[2]} of $((BASH_REMATCH[1] + BASH_REMATCH[2])) cases"; failures+=("$name"); }
  elif ((status == 0)); then
    passed=$((passed + 1)); result=ok
  else
    failed=$((failed + 1)); result=FAILED; failures+=("$name")
  fi
  printf 'e2e %-40s %s (%.1fs)\n' "$name" "$result" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{print e-s}')"
  if [[ $result == FAILED* ]]; then grep -v '^ok ' "$log" | sed 's/^/    | /' | tail -n 60; fi
done
if [[ -n $proxy_pid ]] && ! kill -0 "$proxy_pid" 2>/dev/null; then
  echo "e2e: gdpr-proxy died during the run; its log:" >&2; tail -n 40 "$work/logs/proxy.log" >&2
  failed=$((failed + 1))
fi
if ((passed + failed == 0)); then
  echo "e2e: no test matched tests/e2e/$pattern.sh" >&2
  failed=1
fi
# A backend that crashed during the run fails the suite even if every script
# passed: PostgreSQL restarts and the scripts may not notice.
if grep -q 'terminated by signal' "$work/cluster/server.log"; then
  echo "e2e: a PostgreSQL process crashed during the run:" >&2
  grep -B2 -A2 'terminated by signal' "$work/cluster/server.log" | head -n 20 >&2
  failed=$((failed + 1))
fi
echo "e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
