#!/usr/bin/env bash
# SIGTERM drains: the proxy stops accepting at once, a running statement
# finishes and returns its result, then the proxy exits with status 0.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

start_own_proxy proxy_drain
out="$GDPR_TMP/proxy_drain.out"
psql -X -At -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres -d "$GDPR_DB" -c "select pg_sleep(2), 'finished'" >"$out" 2>&1 &
psql_pid=$!
sleep 0.5
kill -TERM "$OWN_PROXY_PID"
sleep 0.3
if psql -X -At -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres -d "$GDPR_DB" -c "select 1" >/dev/null 2>&1; then
  fail "a new connection was accepted while draining"
fi
wait "$psql_pid" || fail "the running statement was cut off: $(cat "$out")"
expect_contains "$(cat "$out")" "finished" "statement during drain"
status=0
wait "$OWN_PROXY_PID" || status=$?
OWN_PROXY_PID=""
((status == 0)) || fail "proxy exited with status $status after draining"
expect_contains "$(cat "$OWN_PROXY_LOG")" "all sessions finished" "drain log"
echo ok
