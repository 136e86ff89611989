#!/usr/bin/env bash
# pgbench through gdpr-proxy over TLS (require_tls, sslmode=require) with each
# query protocol: simple, extended and prepared (named statements reused
# across transactions). For each: select-only with a fixed number of
# transactions (exactly that many processed, none failed), the TPC-B-like
# script (every transaction leaves one row in pgbench_history, counted on the
# server directly), and select-only with a new TLS connection per transaction (-C).
set -euo pipefail
source "$(dirname "$0")/proxy_clients_lib.sh"

require_command pgbench postgresql-client-15
db="proxy_pgbench_$$"
admin=(psql -X -q -At -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres)
start_tls_proxy proxy_pgbench
cleanup() {
  stop_own_proxy
  "${admin[@]}" -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"${admin[@]}" -d postgres -c "create database $db"
pgbench -q -i -s 1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres "$db" >/dev/null 2>&1 || fail "pgbench -i failed"

# run_pgbench EXPECTED_TRANSACTIONS ARGS...: runs pgbench through the TLS proxy
# and checks it processed exactly that many transactions, none failed.
run_pgbench() {
  local expected=$1
  shift
  local out processed failed tps
  out=$(PGSSLMODE=require pgbench -n -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres "$@" "$db" 2>&1) || fail "pgbench $* failed: $out"
  processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
  echo "pgbench $*: processed=$processed failed=${failed:-0} tps=$tps"
  [[ ${processed:-0} -eq $expected ]] || fail "pgbench $*: processed '${processed:-0}' transactions, expected $expected: $out"
  [[ ${failed:-0} -eq 0 ]] || fail "pgbench $*: $failed failed transactions"
}

for protocol in simple extended prepared; do
  run_pgbench 2000 -S -c 4 -j 2 -t 500 --protocol="$protocol"

  before=$("${admin[@]}" -d "$db" -c "select count(*) from pgbench_history")
  run_pgbench 400 -b tpcb-like -c 4 -j 2 -t 100 --protocol="$protocol"
  after=$("${admin[@]}" -d "$db" -c "select count(*) from pgbench_history")
  ((after - before == 400)) || fail "--protocol=$protocol: pgbench_history grew by $((after - before)), expected 400"

  run_pgbench 100 -S -C -c 2 -j 2 -t 50 --protocol="$protocol"
done
expect_proxy_alive
echo ok
