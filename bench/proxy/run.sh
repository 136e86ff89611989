#!/usr/bin/env bash
# gdpr-proxy against the real alternatives, in one run on one machine:
#   direct      pgbench straight to PostgreSQL
#   pgbouncer   Debian's PgBouncer, session pooling
#   gdpr-proxy  this project's proxy (pass-through login, no rewriting)
# 1) pgbench select-only (-S) at 1, 10 and 50 clients, each protocol: TPS and
#    p99 latency, median of BENCH_RUNS runs, and the gdpr-proxy/PgBouncer ratios;
# 2) connection storm: pgbench -C with TLS (every transaction a new TLS connection);
# 3) memory per idle client connection at BENCH_IDLE (1000) connections.
# Usage: GDPR_BUILD_DIR=build bench/proxy/run.sh   (knobs: BENCH_RUNS BENCH_SECONDS BENCH_CLIENTS
#   BENCH_PROTOCOLS BENCH_IDLE, BENCH_SECTIONS="pgbench storm idle" to run only some parts)
# Ports: GDPR_BENCH_PORT (default 55600) for PostgreSQL, the next two for
# PgBouncer and gdpr-proxy unless GDPR_BENCH_BOUNCER_PORT / GDPR_BENCH_PROXY_PORT say otherwise. Installs nothing: the cluster preloads the gdpr
# extension already installed in the system's PostgreSQL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
build_dir=${GDPR_BUILD_DIR:-$GDPR_ROOT/build}
proxy_bin="$build_dir/proxy/gdpr-proxy"
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-5}
clients_list=${BENCH_CLIENTS:-"1 10 50"}
protocols=${BENCH_PROTOCOLS:-"simple extended prepared"}
idle_count=${BENCH_IDLE:-1000}
sections=${BENCH_SECTIONS:-"pgbench storm idle"}
pg_port=${GDPR_BENCH_PORT:-55600}
bouncer_port=${GDPR_BENCH_BOUNCER_PORT:-$((pg_port + 1))} proxy_port=${GDPR_BENCH_PROXY_PORT:-$((pg_port + 2))}
# One work directory per port, so runs on different ports do not collide.
work=/tmp/gdpr-bench-proxy-$pg_port

bouncer_pid="" proxy_pid=""
# Every step tolerates a process that is already gone: under set -e a failing
# step would end the trap early and leave PgBouncer or the cluster running.
cleanup() {
  if [[ -n $proxy_pid ]]; then kill -TERM "$proxy_pid" 2>/dev/null || true; fi
  if [[ -n $bouncer_pid ]]; then kill -TERM "$bouncer_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  cluster_stop "$work/cluster"
}
trap cleanup EXIT

cluster_stop "$work/cluster"
rm -rf "$work"
pg_owned_dir "$work"
mkdir -p "$work/log" && chmod 777 "$work/log"
cluster_init "$work/cluster" "$pg_port"
as_pg openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
  -keyout "$work/tls.key" -out "$work/tls.crt" >/dev/null 2>&1
as_pg chmod 600 "$work/tls.key"
as_pg sh -c "cat >> '$work/cluster/pgdata/postgresql.conf'" <<CONF
max_connections = $((idle_count + 200))
shared_buffers = '256MB'
ssl = on
ssl_cert_file = '$work/tls.crt'
ssl_key_file = '$work/tls.key'
CONF
cluster_start "$work/cluster"
psql -X -q -h 127.0.0.1 -p $pg_port -U postgres -d postgres -c "CREATE DATABASE bench"
pgbench -q -i -s 10 -h 127.0.0.1 -p $pg_port -U postgres bench >/dev/null 2>&1

# PgBouncer refuses to run as root: it runs as postgres, like the server.
cat >"$work/userlist.txt" <<'TXT'
"postgres" ""
TXT
cat >"$work/pgbouncer.ini" <<INI
[databases]
bench = host=127.0.0.1 port=$pg_port dbname=bench
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
pool_mode = session
max_client_conn = $((idle_count + 100))
default_pool_size = 100
client_tls_sslmode = allow
client_tls_key_file = $work/tls.key
client_tls_cert_file = $work/tls.crt
logfile = $work/pgbouncer.log
INI
chmod 644 "$work"/pgbouncer.ini "$work"/userlist.txt
# setpriv execs in place (runuser would fork), so $! is PgBouncer itself.
setpriv --reuid=postgres --regid=postgres --init-groups /usr/sbin/pgbouncer -q "$work/pgbouncer.ini" &
bouncer_pid=$!

write_proxy_config() {
  cat >"$work/proxy.toml" <<TOML
[listen]
host = "127.0.0.1"
port = $proxy_port

[server]
host = "127.0.0.1"
port = $pg_port

[tls]
cert_file = "$work/tls.crt"
key_file = "$work/tls.key"
require_tls = false

[limits]
max_clients = $((idle_count + 100))
TOML
  # Pass-through login for the benchmark's superuser, where the proxy knows
  # end users of its own (the demo and the tests do the same).
  if [[ ${1:-} == auth ]]; then printf '\n[auth]\npassthrough_unknown_users = true\n' >>"$work/proxy.toml"; fi
}
write_proxy_config auth
"$proxy_bin" --check-config --config "$work/proxy.toml" >/dev/null 2>&1 || write_proxy_config
start_gdpr_proxy() {
  "$proxy_bin" --config "$work/proxy.toml" >>"$work/proxy.log" 2>&1 &
  proxy_pid=$!
  # A port answering is not enough: another program may hold it.
  wait_for_port $proxy_port 15 && kill -0 "$proxy_pid" 2>/dev/null ||
    { echo "gdpr-proxy did not start on port $proxy_port:" >&2; tail -n 5 "$work/proxy.log" >&2; exit 1; }
}
stop_gdpr_proxy() {
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=""
}
start_gdpr_proxy
wait_for_port $bouncer_port 15 && kill -0 "$bouncer_pid" 2>/dev/null ||
  { echo "PgBouncer did not start on port $bouncer_port:" >&2; tail -n 5 "$work/pgbouncer.log" >&2; exit 1; }

declare -A port_of=([direct]=$pg_port [pgbouncer]=$bouncer_port [gdpr-proxy]=$proxy_port)
targets=(direct pgbouncer gdpr-proxy)

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# run_pgbench TARGET PROTOCOL CLIENTS -> "tps p99ms" (one run)
run_pgbench() {
  local port=${port_of[$1]} jobs=$(($3 < 2 ? 1 : 2)) prefix="$work/log/$1-$2-$3-$RANDOM"
  local out
  out=$(cd "$work/log" && pgbench -n -S -M "$2" -c "$3" -j "$jobs" -T "$seconds" --log --log-prefix="$prefix" \
    -h 127.0.0.1 -p "$port" -U postgres bench 2>&1)
  local tps
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$out")
  echo "${tps:-nan} $("$here/p99.py" "$prefix".* ; rm -f "$prefix".*)"
}

echo "# gdpr-proxy benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, median of $runs runs of ${seconds}s)"
if [[ " $sections " == *" pgbench "* ]]; then
echo
echo "## pgbench -S (select-only), TPS and p99 latency (ms)"
echo
echo "| clients | protocol | direct TPS | PgBouncer TPS | gdpr-proxy TPS | proxy/PgBouncer TPS | p99 direct | p99 PgBouncer | p99 gdpr-proxy | proxy/PgBouncer p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in $clients_list; do
  for proto in $protocols; do
    declare -A tps=() p99=()
    for t in "${targets[@]}"; do
      results=()
      # Interleave targets run by run would be fairer still; runs are short
      # and consecutive, and every target gets the same count.
      for ((r = 0; r < runs; r++)); do results+=("$(run_pgbench "$t" "$proto" "$c")"); done
      tps[$t]=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median)
      p99[$t]=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | median)
    done
    tps_ratio=$(awk -v a="${tps[gdpr-proxy]}" -v b="${tps[pgbouncer]}" 'BEGIN{printf "%.2f", a/b}')
    p99_ratio=$(awk -v a="${p99[gdpr-proxy]}" -v b="${p99[pgbouncer]}" 'BEGIN{printf "%.2f", a/b}')
    printf '| %s | %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s |\n' "$c" "$proto" \
      "${tps[direct]}" "${tps[pgbouncer]}" "${tps[gdpr-proxy]}" "$tps_ratio" \
      "${p99[direct]}" "${p99[pgbouncer]}" "${p99[gdpr-proxy]}" "$p99_ratio"
  done
done

fi

if [[ " $sections " == *" storm "* ]]; then
echo
echo "## Connection storm: pgbench -C -S, 10 clients, sslmode=require (new TLS connection per transaction)"
echo
echo "| target | connections/s (median) |"
echo "|---|---|"
for t in "${targets[@]}"; do
  results=()
  for ((r = 0; r < runs; r++)); do
    out=$(PGSSLMODE=require pgbench -n -C -S -c 10 -j 2 -T "$seconds" -h 127.0.0.1 -p "${port_of[$t]}" -U postgres bench 2>&1)
    results+=("$(sed -n 's/^tps = \([0-9.]*\) (including reconnection times)/\1/p;s/^tps = \([0-9.]*\) (including connections establishing)/\1/p' <<<"$out" | head -n1)")
  done
  printf '| %s | %.0f |\n' "$t" "$(printf '%s\n' "${results[@]}" | median)"
done

fi

if [[ " $sections " == *" idle "* ]]; then
echo
echo "## Memory per idle client connection ($idle_count connections)"
echo
echo "| target | client TLS | RSS before (KiB) | RSS with $idle_count idle clients (KiB) | KiB per connection |"
echo "|---|---|---|---|---|"
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
for tls in plain tls; do
  # A fresh gdpr-proxy per round: memory freed by earlier rounds would
  # otherwise be reused and hide part of this round's cost.
  stop_gdpr_proxy
  start_gdpr_proxy
  for t in pgbouncer gdpr-proxy; do
    pid=$([[ $t == pgbouncer ]] && echo "$bouncer_pid" || echo "$proxy_pid")
    before=$(rss_kib "$pid")
    exec 5> >("$here/idle_clients.py" 127.0.0.1 "${port_of[$t]}" postgres bench "$idle_count" "$tls" >"$work/idle-$t-$tls.out" 2>&1)
    for ((i = 0; i < 600; i++)); do grep -q ready "$work/idle-$t-$tls.out" 2>/dev/null && break; sleep 0.2; done
    grep -q ready "$work/idle-$t-$tls.out" || { echo "idle clients failed for $t ($tls):" >&2; cat "$work/idle-$t-$tls.out" >&2; }
    sleep 1
    after=$(rss_kib "$pid")
    exec 5>&-
    sleep 3
    printf '| %s | %s | %s | %s | %.1f |\n' "$t" "$tls" "$before" "$after" "$(awk -v a="$after" -v b="$before" -v n="$idle_count" 'BEGIN{print (a-b)/n}')"
  done
done
fi
