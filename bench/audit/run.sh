#!/usr/bin/env bash
# Row-access audit overhead: pgbench point reads and writes on a tagged table
# with (1) no audit, (2) gdpr.audit, (3) pgaudit object audit of the same
# table to the server log; the modes alternate in rounds within one run, on
# one cluster, so they share the machine's state. Prints TPS and p99 latency
# as ratios to "no audit" (medians over the rounds), the events per second
# the writer sustained and the bytes per event in gdpr.audit_log.
# Usage: bench/audit/run.sh [SECONDS_PER_RUN=10] [ROUNDS=3] [CLIENTS=4]
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
PG_BIN=${GDPR_AUDIT_PG_BIN:-$PG_BIN}  # benchmarking another installation
seconds=${1:-10} rounds=${2:-3} clients=${3:-4}
out="${GDPR_BENCH_OUT:-$GDPR_ROOT/bench/out/audit}"
port=${GDPR_BENCH_PORT:-54391}
[[ -f $("$PG_BIN/pg_config" --pkglibdir)/pgaudit.so ]] || { echo "pgaudit is not installed (postgresql-15-pgaudit)" >&2; exit 1; }

cluster_stop "$out/cluster"
rm -rf "$out"
mkdir -p "$out"
chmod 777 "$out"
cluster_init "$out/cluster" "$port"
as_pg sh -c "cat >> '$out/cluster/pgdata/postgresql.conf'" <<CONF
shared_preload_libraries = 'gdpr,pgaudit'
pgaudit.log = 'none'          # object audit only, enabled per run through pgaudit.role
pgaudit.log_parameter = off
gdpr.audit = off              # enabled per run
CONF
cluster_start "$out/cluster"
trap 'cluster_stop "$out/cluster"' EXIT
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
sql <<'SQL'
CREATE EXTENSION gdpr;
CREATE EXTENSION pgaudit;
CREATE TABLE tickets (id bigint PRIMARY KEY, requester_email text, subject text, status text);
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject IS 'free_text';
INSERT INTO tickets SELECT g, 'r' || g || '@example.com', 'subject ' || g, 'open' FROM generate_series(1, 100000) g;
VACUUM ANALYZE tickets;
CREATE ROLE auditor NOLOGIN;   -- pgaudit object audit: what this role may do is logged
GRANT SELECT, UPDATE ON tickets TO auditor;
SQL
cat >"$out/read.sql" <<'SQL'
\set id random(1, 100000)
SELECT requester_email, subject FROM tickets WHERE id = :id;
SQL
cat >"$out/write.sql" <<'SQL'
\set id random(1, 100000)
UPDATE tickets SET subject = 'subject ' || :id WHERE id = :id;
SQL

declare -A options=(
  [none]="-c gdpr.audit=off"
  [gdpr]="-c gdpr.audit=on"
  [pgaudit]="-c gdpr.audit=off -c pgaudit.role=auditor"
)
results="$out/results.tsv"
: >"$results"
run() {  # run MODE SCRIPT ROUND
  local mode=$1 script=$2 round=$3 dir="$out/$1-$2-$3" before after
  mkdir -p "$dir" && chmod 777 "$dir"
  before=$(sql -c "SELECT gdpr.audit_flush(); SELECT coalesce(max(id), 0) FROM gdpr.audit_log" | tail -n 1)
  (cd "$dir" && PGOPTIONS="${options[$mode]}" "$PG_BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared \
     -c "$clients" -j 2 -T "$seconds" -l -f "$out/$script.sql" postgres >pgbench.out 2>&1)
  after=$(sql -c "SELECT gdpr.audit_flush(); SELECT coalesce(max(id), 0) FROM gdpr.audit_log" | tail -n 1)
  local tps p99
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/pgbench.out")
  p99=$(cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.99)]/1000}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$script" "$round" "$tps" "$p99" "$((after - before))" >>"$results"
  echo "$mode $script round $round: tps $tps, p99 $p99 ms, events $((after - before))"
}
for round in $(seq "$rounds"); do
  for script in read write; do
    for mode in none gdpr pgaudit; do run "$mode" "$script" "$round"; done
  done
done

# Bytes per event over every partition of the log (table, TOAST and indexes).
bytes_per_event=$(sql -c "SELECT gdpr.audit_flush(); SELECT coalesce(sum(pg_total_relation_size(relid)), 0) / greatest((SELECT count(*) FROM gdpr.audit_log), 1) FROM pg_partition_tree('gdpr.audit_log')" | tail -n 1)
# Medians over the rounds: of TPS and p99 per mode, and of the per-round
# ratios to "no audit" (the modes of one round ran back to back, so their
# ratio is less exposed to the machine's drift than a ratio of medians).
awk -F'\t' -v secs="$seconds" -v bpe="$bytes_per_event" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { tps[$1" "$2" "$3] = $4; p99[$1" "$2" "$3] = $5; rounds[$3] = 1; if ($1 == "gdpr" && $2 == "read") ev = ev " " $6 / secs }
  END {
    printf "| script | mode | TPS (median) | TPS vs none (median of rounds) | p99 ms (median) | p99 vs none (median of rounds) |\n|---|---|---|---|---|---|\n"
    split("read write", scripts, " "); split("none gdpr pgaudit", modes, " ")
    for (s = 1; s <= 2; s++) for (m = 1; m <= 3; m++) {
      t = ""; p = ""; rt = ""; rp = ""
      for (r in rounds) {
        k = modes[m]" "scripts[s]" "r; b = "none "scripts[s]" "r
        t = t " " tps[k]; p = p " " p99[k]; rt = rt " " tps[k] / tps[b]; rp = rp " " p99[k] / p99[b]
      }
      printf "| %s | %s | %.0f | %.3f | %.3f | %.3f |\n", scripts[s], modes[m], median(t), median(rt), median(p), median(rp)
    }
    printf "\nwriter: %.0f events/s (median of the gdpr read runs, where back-pressure makes it the sustained rate); %d bytes per event (table + indexes)\n", median(ev), bpe
  }' "$results" | tee "$out/summary.md"
