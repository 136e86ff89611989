#!/usr/bin/env bash
# Two gdpr-proxy builds side by side on one throw-away cluster, their pgbench
# runs interleaved (A, B, A, B, ...) so that load from other jobs on a shared
# machine hits both alike. For checking that a change does not cost throughput.
# Usage: bench/proxy/compare_builds.sh BASE_BUILD_DIR NEW_BUILD_DIR
#   knobs: BENCH_RUNS (3) BENCH_SECONDS (5) BENCH_CLIENTS ("10 50") BENCH_PROTOCOLS
#   ports: GDPR_BENCH_PORT (default 55610) for PostgreSQL, +1 and +2 for the proxies
#   (or GDPR_BENCH_BASE_PORT, GDPR_BENCH_NEW_PORT).
# Installs nothing: the cluster preloads the gdpr extension already installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
base_bin="$1/proxy/gdpr-proxy" new_bin="$2/proxy/gdpr-proxy"
runs=${BENCH_RUNS:-3} seconds=${BENCH_SECONDS:-5}
clients_list=${BENCH_CLIENTS:-"10 50"} protocols=${BENCH_PROTOCOLS:-"simple extended prepared"}
pg_port=${GDPR_BENCH_PORT:-55610}
declare -A port_of=([base]=${GDPR_BENCH_BASE_PORT:-$((pg_port + 1))} [new]=${GDPR_BENCH_NEW_PORT:-$((pg_port + 2))})
work=/tmp/gdpr-bench-compare-$pg_port

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  cluster_stop "$work/cluster"
}
trap cleanup EXIT

cluster_stop "$work/cluster"
rm -rf "$work"
pg_owned_dir "$work"
mkdir -p "$work/log" && chmod 777 "$work/log"
cluster_init "$work/cluster" "$pg_port"
as_pg sh -c "cat >> '$work/cluster/pgdata/postgresql.conf'" <<<"shared_buffers = '256MB'"
cluster_start "$work/cluster"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE bench"
pgbench -q -i -s 10 -h 127.0.0.1 -p "$pg_port" -U postgres bench >/dev/null 2>&1

for build in base new; do
  bin=$([[ $build == base ]] && echo "$base_bin" || echo "$new_bin")
  cat >"$work/$build.toml" <<TOML
[listen]
host = "127.0.0.1"
port = ${port_of[$build]}
[server]
host = "127.0.0.1"
port = $pg_port
[auth]
passthrough_unknown_users = true
TOML
  "$bin" --config "$work/$build.toml" >"$work/$build.log" 2>&1 &
  pids+=($!)
  # A port answering is not enough: another program may hold it.
  wait_for_port "${port_of[$build]}" 15 && kill -0 "${pids[-1]}" 2>/dev/null ||
    { echo "the $build proxy did not start:" >&2; cat "$work/$build.log" >&2; exit 1; }
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
one_run() {  # BUILD PROTOCOL CLIENTS -> "tps p99ms"
  local prefix="$work/log/$1-$2-$3-$RANDOM" out tps
  out=$(cd "$work/log" && pgbench -n -S -M "$2" -c "$3" -j 2 -T "$seconds" --log --log-prefix="$prefix" \
    -h 127.0.0.1 -p "${port_of[$1]}" -U postgres bench 2>&1)
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$out")
  echo "${tps:-nan} $("$here/p99.py" "$prefix".*; rm -f "$prefix".*)"
}

echo "# gdpr-proxy build comparison ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, median of $runs interleaved runs of ${seconds}s)"
echo
echo "| clients | protocol | base TPS | new TPS | new/base TPS | base p99 (ms) | new p99 (ms) | new/base p99 |"
echo "|---|---|---|---|---|---|---|---|"
for c in $clients_list; do
  for proto in $protocols; do
    declare -A res=([base]="" [new]="")
    for ((r = 0; r < runs; r++)); do
      for build in base new; do res[$build]+="$(one_run "$build" "$proto" "$c")"$'\n'; done
    done
    tb=$(awk 'NF {print $1}' <<<"${res[base]}" | median) tn=$(awk 'NF {print $1}' <<<"${res[new]}" | median)
    pb=$(awk 'NF {print $2}' <<<"${res[base]}" | median) pn=$(awk 'NF {print $2}' <<<"${res[new]}" | median)
    printf '| %s | %s | %.0f | %.0f | %.2f | %s | %s | %.2f |\n' "$c" "$proto" "$tb" "$tn" \
      "$(awk -v a="$tn" -v b="$tb" 'BEGIN{print a/b}')" "$pb" "$pn" "$(awk -v a="$pn" -v b="$pb" 'BEGIN{print a/b}')"
  done
done
