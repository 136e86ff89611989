#!/usr/bin/env bash
# Loads the demo data at a benchmark scale into its own database and reports
# how long it took and how big it is (docs/demo-data.md, "Benchmarks").
#
#   bench/data/load-demo.sh SCALE [DATABASE] [--with-extension]
#
# SCALE 100 = 100,000 contacts and 1M calls (~1.3 GB, about 1.5 minutes on
# two cores); 1000 = 10M calls (~13 GB). DATABASE defaults to
# gdpr_bench_<SCALE> and must not exist yet. With --with-extension the
# database gets CREATE EXTENSION gdpr and the tags (sql/demo/load.sql);
# without, only the schema and the data. Connection: the usual libpq
# variables (PGHOST, PGPORT, PGUSER), a role that may create databases.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

usage() { echo "usage: $0 SCALE [DATABASE] [--with-extension]" >&2; exit 2; }
with_extension=0 args=()
for a in "$@"; do
  case $a in
    --with-extension) with_extension=1 ;;
    -*) usage ;;
    *) args+=("$a") ;;
  esac
done
[[ ${#args[@]} -ge 1 && ${#args[@]} -le 2 ]] || usage
scale=${args[0]}
[[ $scale =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || { echo "SCALE must be a positive number, got '$scale'" >&2; exit 2; }
db=${args[1]:-gdpr_bench_${scale//./_}}

psql_q=(psql -X -q -v ON_ERROR_STOP=1)
now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", e - s }'; }

"${psql_q[@]}" -d postgres -c "CREATE DATABASE \"$db\""
start=$(now)
if [[ $with_extension -eq 1 ]]; then
  "${psql_q[@]}" -d "$db" -c "CREATE EXTENSION gdpr"
  "${psql_q[@]}" -d "$db" -v scale="$scale" -f "$root/sql/demo/load.sql"
else
  "${psql_q[@]}" -d "$db" -f "$root/sql/demo/schema.sql"
  "${psql_q[@]}" -d "$db" -v scale="$scale" -f "$root/sql/demo/generate.sql"
fi
end=$(now)

echo "loaded scale $scale into $db in $(secs "$start" "$end") s"
"${psql_q[@]}" -d "$db" -c "
SELECT c.relname AS \"table\", c.reltuples::bigint AS \"rows (est.)\",
       pg_size_pretty(pg_total_relation_size(c.oid)) AS size
  FROM pg_class AS c
 WHERE c.oid IN ('contacts'::regclass, 'agents'::regclass, 'calls'::regclass, 'recordings'::regclass,
                 'tickets'::regclass, 'ticket_messages'::regclass)
 ORDER BY pg_total_relation_size(c.oid) DESC" -c "SELECT pg_size_pretty(pg_database_size(current_database())) AS database_size"
