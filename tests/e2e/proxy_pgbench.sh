#!/usr/bin/env bash
# pgbench select-only through the proxy with each query protocol: simple,
# extended and prepared (named statements reused across transactions), 4
# clients for a few seconds each, without a single failed transaction.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

db="proxy_pgbench_$$"
psql -X -q -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d postgres -c "create database $db"
trap 'psql -X -q -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true' EXIT
pgbench -q -i -s 1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres "$db" >/dev/null 2>&1

for protocol in simple extended prepared; do
  out=$(pgbench -S -n -T 3 -c 4 -j 2 --protocol="$protocol" -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres "$db" 2>&1) ||
    fail "pgbench --protocol=$protocol failed: $out"
  processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
  echo "protocol=$protocol processed=$processed failed=${failed:-0} tps=$tps"
  [[ ${processed:-0} -gt 100 ]] || fail "--protocol=$protocol processed only '${processed:-0}' transactions: $out"
  [[ ${failed:-0} -eq 0 ]] || fail "--protocol=$protocol had $failed failed transactions"
done
echo ok
