#!/usr/bin/env bash
# Benchmark of retention (issue 8): rows per second that CALL
# gdpr_apply_retention() removes (anonymised calls, deleted recordings) in the
# demo data at a scale (default 100 = 1M calls) with its indexes in place, and
# the point-read TPS of concurrent clients (pgbench, 4 clients) before and
# while it runs.
#
#   bench/retention/run.sh [SCALE]
#
# Without GDPR_PG_PORT it starts its own throw-away cluster under
# bench/out/retention/ (port GDPR_BENCH_PORT, default 54393); with GDPR_PG_PORT
# (and GDPR_HOST) it uses that server (extension preloaded, key file set).
# BENCH_DB names an existing demo database to use (its data gets anonymised);
# otherwise gdpr_bench_retention_<scale> is loaded with bench/data/load-demo.sh.
# BATCH (default 10000) sets gdpr.retention_batch_size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
root=$GDPR_ROOT
host=${GDPR_HOST:-127.0.0.1}
scale=${1:-100}
batch=${BATCH:-10000}
if [[ -z ${GDPR_PG_PORT:-} ]]; then
  work="$root/bench/out/retention"
  port=${GDPR_BENCH_PORT:-54393}
  cluster_stop "$work/cluster"
  rm -rf "$work"
  mkdir -p "$work"
  cluster_init "$work/cluster" "$port"
  cluster_start "$work/cluster"
  trap 'cluster_stop "$work/cluster"' EXIT
else
  port=$GDPR_PG_PORT
fi
export PGHOST=$host PGPORT=$port PGUSER=postgres
db=${BENCH_DB:-gdpr_bench_retention_${scale//./_}}
if [[ -z ${BENCH_DB:-} ]]; then
  psql -X -q -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
  "$root/bench/data/load-demo.sh" "$scale" "$db" --with-extension
fi
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [[ -n ${work:-} ]] && cluster_stop "$work/cluster"' EXIT
max_call=$(sql "SELECT max(id) FROM calls")
cat >"$tmp/reads.sql" <<SQL
\set c random(1, $max_call)
SELECT id, caller, started_at, cost FROM calls WHERE id = :c;
SQL
sql "VACUUM ANALYZE calls, recordings"

echo "scale $scale: $(sql "SELECT count(*) FROM calls") calls, $(sql "SELECT count(*) FROM recordings") recordings"
echo "to remove: $(sql "SELECT string_agg(format('%s %s', relation, rows_to_remove), ', ') FROM gdpr_retention_preview()")"
base_tps=$(pgbench -n -c 4 -T 15 -f "$tmp/reads.sql" "$db" 2>/dev/null | awk '/^tps/ { print int($3) }')
echo "point reads alone: $base_tps tps (pgbench -c 4 -T 15, one call by random id)"

# Reads for long enough to cover the run; per-second progress tells the TPS while it runs.
pgbench -n -c 4 -T "${READ_SECONDS:-900}" -P 1 -f "$tmp/reads.sql" "$db" >"$tmp/during.out" 2>"$tmp/progress.log" &
reads=$!
sleep 3
t0=$(date +%s.%N)
psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET gdpr.retention_batch_size = $batch" \
  -c "CALL gdpr_apply_retention()" >"$tmp/report.json"
t1=$(date +%s.%N)
kill -TERM "$reads" 2>/dev/null || true
wait "$reads" 2>/dev/null || true
report=$(tail -n 1 "$tmp/report.json")
seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
removed=$(jq -r '.rows_deleted + .rows_anonymized' <<<"$report")
echo "retention run (batch $batch): $(jq -c '{rows_deleted, rows_anonymized, seconds, tables: (.tables | map_values({rows_deleted, rows_anonymized, batches, seconds}))}' <<<"$report")"
echo "rows removed per second: $(awk -v r="$removed" -v s="$seconds" 'BEGIN { printf "%d", r / s }') ($removed rows in $seconds s)"
# Progress lines from seconds 4 .. end of the run: "progress: 5.0 s, 1234.5 tps, lat ..."
during_tps=$(awk -v last="$(awk -v s="$seconds" 'BEGIN { printf "%d", s + 3 }')" \
  '/^progress:/ { t = $2 + 0; if (t > 3 && t <= last) { sum += $4; n++ } } END { if (n) printf "%d", sum / n; else print "n/a" }' "$tmp/progress.log")
min_tps=$(awk -v last="$(awk -v s="$seconds" 'BEGIN { printf "%d", s + 3 }')" \
  '/^progress:/ { t = $2 + 0; if (t > 3 && t <= last && (m == "" || $4 < m)) m = $4 } END { print int(m) }' "$tmp/progress.log")
echo "point reads while retention runs: $during_tps tps on average, lowest second $min_tps tps (baseline $base_tps)"
