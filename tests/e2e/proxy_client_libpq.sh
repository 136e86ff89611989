#!/usr/bin/env bash
# libpq through gdpr-proxy over TLS (require_tls): a C client compiled here
# against libpq runs pipeline mode (an error skipping to the Sync and rolling
# back its segment, later segments answered, Flush, 1,000 queries in flight)
# and COPY in/out with PQputCopyData/PQgetCopyData (200,000 rows, binary COPY,
# CopyFail with 57014), once as a passthrough DBA and once as an end user.
# Also PQcancel (psql's Ctrl-C) over a TLS session.
set -euo pipefail
source "$(dirname "$0")/proxy_clients_lib.sh"

require_command cc build-essential
require_command pg_config libpq-dev
program="$GDPR_TMP/libpq_pipeline"
cc -std=c11 -Wall -Wextra -Werror -O1 -I"$(pg_config --includedir)" -o "$program" "$CLIENTS_DIR/libpq_pipeline.c" \
  -L"$(pg_config --libdir)" -lpq || fail "could not compile the libpq client"

start_tls_proxy proxy_client_libpq

out=$("$program" "$(tls_conninfo postgres)" 2>&1) || fail "libpq client as postgres: $out"
echo "$out"
expect_contains "$out" "ok: user postgres over TLSv1." "libpq client as postgres"

out=$(PGPASSWORD=carla "$program" "$(tls_conninfo carla)" 2>&1) || fail "libpq client as carla: $out"
echo "$out"
expect_contains "$out" "ok: user gdpr_policy_supervisor over TLSv1." "libpq client as the end user carla"

# Ctrl-C in psql (PQcancel) on a TLS session: the cancel request reaches the server.
for user in postgres carla; do
  result="$GDPR_TMP/proxy_client_libpq_cancel.out"
  start=$(date +%s)
  PGPASSWORD=$user psql -X "$(tls_conninfo $user)" -c "select pg_sleep(30)" >"$result" 2>&1 &
  psql_pid=$!
  sleep 1.5
  kill -INT "$psql_pid"
  wait "$psql_pid" || true
  elapsed=$(($(date +%s) - start))
  grep -q "canceling statement due to user request" "$result" || fail "cancel over TLS as $user: $(cat "$result")"
  ((elapsed < 10)) || fail "cancel over TLS as $user took ${elapsed}s"
  echo "cancel over TLS as $user: ${elapsed}s"
done
expect_proxy_alive
echo ok
