#!/usr/bin/env bash
# Masked reads through gdpr-proxy against the same reads unmasked, in one run
# on one cluster (the demo data at BENCH_SCALE, the demo policies and users):
#   direct  pgbench as postgres straight to PostgreSQL (no proxy, no masking)
#   carla   through gdpr-proxy as carla (policy supervisor: unmasked, every
#           statement is parsed and passes unchanged; her role reads the
#           policy's views, which keep every column)
#   anna    through gdpr-proxy as anna (policy agent: every statement is
#           rewritten to read gdpr_mask_agent.*, the masking functions run)
# Two statements: a point read of contacts (SELECT *: partial name, e-mail,
# phone, address) and a contacts+calls join (partial phone of every call),
# with --protocol simple (a rewrite per statement, served by the rewrite
# cache) and prepared (one rewrite per connection), at 1 and 10 clients.
# Targets take turns run by run; prints TPS and p99 latency medians and the
# ratios anna/direct and anna/carla. gdpr.audit is off so that the row-access
# audit (bench/audit) weighs on no side.
# Usage: GDPR_BUILD_DIR=build bench/masked_reads/run.sh
#   knobs: BENCH_RUNS (3) BENCH_SECONDS (3) BENCH_CLIENTS ("1 10")
#          BENCH_PROTOCOLS ("simple prepared") BENCH_SCALE (1)
#   ports: GDPR_BENCH_PORT (PostgreSQL, 54398), GDPR_BENCH_PROXY_PORT (6498)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
build_dir=${GDPR_BUILD_DIR:-$GDPR_ROOT/build}
proxy_bin="$build_dir/proxy/gdpr-proxy"
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-3}
clients_list=${BENCH_CLIENTS:-"1 10"}
protocols=${BENCH_PROTOCOLS:-"simple prepared"}
scale=${BENCH_SCALE:-1}
pg_port=${GDPR_BENCH_PORT:-54398}
proxy_port=${GDPR_BENCH_PROXY_PORT:-6498}
work="$GDPR_ROOT/bench/out/masked_reads"
[[ -x $proxy_bin ]] || { echo "no gdpr-proxy at $proxy_bin: build it first (cmake --build $build_dir --target gdpr-proxy)" >&2; exit 1; }

proxy_pid=""
cleanup() {
  if [[ -n $proxy_pid ]]; then kill -TERM "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  cluster_stop "$work/cluster"
}
trap cleanup EXIT

cluster_stop "$work/cluster"
rm -rf "$work"
mkdir -p "$work/log"
cluster_init "$work/cluster" "$pg_port"
as_pg sh -c "cat >> '$work/cluster/pgdata/postgresql.conf'" <<CONF
gdpr.audit = off
shared_buffers = '256MB'
CONF
cluster_start "$work/cluster"
PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres "$GDPR_ROOT/bench/data/load-demo.sh" "$scale" gdpr_demo --with-extension \
  >"$work/load.log"
psql_admin=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d gdpr_demo)
"${psql_admin[@]}" -c "VACUUM ANALYZE"
contacts=$("${psql_admin[@]}" -c "SELECT max(id) FROM contacts")

write_demo_proxy_config "$work/proxy.toml" "$proxy_port" "$pg_port"
started=0
start_proxy "$proxy_bin" "$work/proxy.toml" "$work/proxy.log" "$proxy_port" && started=1
proxy_pid=$PROXY_PID  # known to the exit trap even when the start failed
((started)) || exit 1

cat >"$work/point.sql" <<SQL
\set id random(1, $contacts)
SELECT * FROM contacts WHERE id = :id;
SQL
cat >"$work/join.sql" <<SQL
\set id random(1, $contacts)
SELECT c.name, c.email, k.started_at, k.caller, k.duration_s FROM contacts c JOIN calls k ON k.contact_id = c.id WHERE c.id = :id;
SQL

declare -A port_of=([direct]=$pg_port [carla]=$proxy_port [anna]=$proxy_port)
declare -A user_of=([direct]=postgres [carla]=carla [anna]=anna)
targets=(direct carla anna)

# What each target really reads: anna must get masked values through the
# proxy, carla and postgres the stored ones. Anna names the base table with
# its schema, so her value is masked only if the proxy rewrote the statement
# to her view (without the rewrite her role gets a permission error). Carla's
# role reads its policy's views too (all columns kept, found through the
# search path the proxy sets), so she names the table as the application
# does. A benchmark of the wrong thing stops here.
phone_of() {  # phone_of TARGET TABLE -> phone of contact 1 as TARGET reads it from TABLE
  PGPASSWORD=${user_of[$1]} psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port_of[$1]}" -U "${user_of[$1]}" \
    -d gdpr_demo -c "SELECT phone FROM $2 WHERE id = 1"
}
stored=$(phone_of direct contacts)
[[ $(phone_of carla contacts) == "$stored" ]] || { echo "carla does not read the stored phone number through the proxy" >&2; exit 1; }
masked=$(phone_of anna public.contacts) || masked=""
[[ -n $masked && $masked != "$stored" && $masked == *'*'* ]] ||
  { echo "anna does not read a masked phone number through the proxy (got '$masked')" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# run_pgbench TARGET SCRIPT PROTOCOL CLIENTS -> "tps p99ms" (one run)
run_pgbench() {
  local target=$1 script=$2 proto=$3 clients=$4 jobs=$(($4 < 2 ? 1 : 2))
  local prefix="$work/log/$target-$script-$proto-$clients-$RANDOM" out tps
  out=$(cd "$work/log" && PGPASSWORD=${user_of[$target]} pgbench -n -f "$work/$script.sql" -M "$proto" \
    -c "$clients" -j "$jobs" -T "$seconds" --log --log-prefix="$prefix" \
    -h 127.0.0.1 -p "${port_of[$target]}" -U "${user_of[$target]}" gdpr_demo 2>&1) ||
    { echo "pgbench failed ($target $script $proto $clients):" >&2; echo "$out" >&2; return 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$out")
  echo "${tps:-nan} $("$here/../proxy/p99.py" "$prefix".*; rm -f "$prefix".*)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

echo "# Masked reads through gdpr-proxy ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, demo scale $scale:" \
  "$contacts contacts; median of $runs runs of ${seconds}s)"
echo
echo "direct = postgres to PostgreSQL; carla = proxy, unmasked (supervisor); anna = proxy, masked (agent)."
echo
echo "| statement | clients | protocol | TPS direct | TPS carla | TPS anna | anna/direct | anna/carla | p99 ms direct | p99 carla | p99 anna | anna/direct | anna/carla |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for script in point join; do
  for c in $clients_list; do
    for proto in $protocols; do
      declare -A results=()
      for ((r = 0; r < runs; r++)); do
        for t in "${targets[@]}"; do results[$t]+="$(run_pgbench "$t" "$script" "$proto" "$c")"$'\n'; done
      done
      declare -A tps=() p99=()
      for t in "${targets[@]}"; do
        tps[$t]=$(printf '%s' "${results[$t]}" | awk 'NF {print $1}' | median)
        p99[$t]=$(printf '%s' "${results[$t]}" | awk 'NF {print $2}' | median)
      done
      printf '| %s | %s | %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' "$script" "$c" "$proto" \
        "${tps[direct]}" "${tps[carla]}" "${tps[anna]}" \
        "$(ratio "${tps[anna]}" "${tps[direct]}")" "$(ratio "${tps[anna]}" "${tps[carla]}")" \
        "${p99[direct]}" "${p99[carla]}" "${p99[anna]}" \
        "$(ratio "${p99[anna]}" "${p99[direct]}")" "$(ratio "${p99[anna]}" "${p99[carla]}")"
    done
  done
done
