#!/usr/bin/env bash
# A vanishing peer closes the other side cleanly:
#  - the server ends a session mid-query: the client gets the server's FATAL
#    error and the proxy keeps serving others;
#  - the client vanishes mid-query: its server session goes away too.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

# Server side ends the session (pg_terminate_backend) while a query runs.
out="$GDPR_TMP/proxy_disconnect.out"
psql -X -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" \
  -c "select pg_sleep(20) /* proxy_disconnect_server */" >"$out" 2>&1 &
psql_pid=$!
for _ in $(seq 50); do
  pid=$(direct -c "select pid from pg_stat_activity where query like '%proxy_disconnect_server%' and pid <> pg_backend_pid()")
  [[ -n $pid ]] && break
  sleep 0.1
done
[[ -n $pid ]] || fail "query did not reach the server"
direct -c "select pg_terminate_backend($pid)" >/dev/null
start=$(date +%s)
wait "$psql_pid" && fail "psql succeeded although its server session was terminated"
(($(date +%s) - start < 10)) || fail "client was not told for too long"
cat "$out"
expect_contains "$(cat "$out")" "terminating connection due to administrator command" "server-side termination"

# Client side vanishes (SIGKILL, no Terminate) while its query runs; the server
# checks its socket every 200 ms, so its backend must be gone within seconds.
PGOPTIONS="-c client_connection_check_interval=200" psql -X -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres \
  -d "$GDPR_DB" -c "select pg_sleep(30) /* proxy_disconnect_client */" >/dev/null 2>&1 &
psql_pid=$!
for _ in $(seq 50); do
  pid=$(direct -c "select pid from pg_stat_activity where query like '%proxy_disconnect_client%' and pid <> pg_backend_pid()")
  [[ -n $pid ]] && break
  sleep 0.1
done
[[ -n $pid ]] || fail "query did not reach the server"
kill -KILL "$psql_pid"
wait "$psql_pid" 2>/dev/null || true
gone=""
for _ in $(seq 100); do
  if [[ -z $(direct -c "select 1 from pg_stat_activity where pid = $pid") ]]; then gone=yes; break; fi
  sleep 0.1
done
[[ -n $gone ]] || fail "server backend $pid still running 10 s after its client vanished"

[[ $(via_proxy -c "select 'alive'") == alive ]] || fail "the proxy stopped serving"
echo ok
