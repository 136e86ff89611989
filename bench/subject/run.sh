#!/usr/bin/env bash
# Benchmark of data-subject requests (issue 4): gdpr_find / gdpr_erase latency
# against the naive SQL a DBA would write, at several demo scales, and the
# insert cost of the subject index.
#
#   bench/subject/run.sh [SCALES...]        (default: 1 10 100)
#
# Without GDPR_PG_PORT it starts its own throw-away cluster under
# bench/out/subject/ (port GDPR_BENCH_PORT, default 54392, gdpr.audit off so
# that the row-access audit does not weigh on either side); with GDPR_PG_PORT
# (and GDPR_HOST) it uses that server, which needs the extension preloaded
# and a key file. Creates and drops one database per scale
# (gdpr_bench_subject_<scale>). Prints a Markdown table. RUNS (default 7)
# requests are timed per measurement; the median is shown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
root=$GDPR_ROOT
host=${GDPR_HOST:-127.0.0.1}
runs=${RUNS:-7}
scales=("$@")
((${#scales[@]})) || scales=(1 10 100)
if [[ -z ${GDPR_PG_PORT:-} ]]; then
  work="$root/bench/out/subject"
  port=${GDPR_BENCH_PORT:-54392}
  cluster_stop "$work/cluster"
  rm -rf "$work"
  mkdir -p "$work"
  cluster_init "$work/cluster" "$port"
  as_pg sh -c "echo 'gdpr.audit = off' >> '$work/cluster/pgdata/postgresql.conf'"
  cluster_start "$work/cluster"
  trap 'cluster_stop "$work/cluster"' EXIT
else
  port=$GDPR_PG_PORT
fi
psql_admin=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres)

echo "| scale | contacts | calls | messages | load+tag s | find ms | naive find ms | erase ms | naive erase ms | bulk insert rows/s, index | no index | single-row inserts/s, index | no index |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for scale in "${scales[@]}"; do
  db="gdpr_bench_subject_${scale//./_}"
  "${psql_admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "${psql_admin[@]}" -d "$db" -c "CREATE EXTENSION gdpr"
  start=$(date +%s.%N)
  "${psql_admin[@]}" -d "$db" -v scale="$scale" -f "$root/sql/demo/load.sql" >/dev/null
  "${psql_admin[@]}" -d "$db" -c "VACUUM ANALYZE"
  load_s=$(echo "$(date +%s.%N) - $start" | bc)
  row=$("${psql_admin[@]}" -d "$db" -v runs="$runs" -f "$here/measure.sql")
  "${psql_admin[@]}" -d postgres -c "DROP DATABASE $db"
  printf '| %s | %s | %.0f | %s |\n' "$scale" "$(cut -d'|' -f1-3 <<<"$row" | tr '|' ' ' | awk '{printf "%s | %s | %s", $1, $2, $3}')" "$load_s" \
    "$(cut -d'|' -f4- <<<"$row" | sed 's/|/ | /g')"
done
