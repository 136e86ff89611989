#!/usr/bin/env bash
# Prometheus metrics on [admin]: GET /metrics answers in the text format, and
# the counters move with real traffic: connections (open and total), queries
# (simple Query and extended Execute), bytes both ways, the latency histogram,
# failed logins (refused by the proxy and by PostgreSQL), and the rewrite
# cache counters are there for the rewriter.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

admin_port=${GDPR_TEST_ADMIN_PORT:-9469}
start_own_proxy proxy_metrics "[admin]
host = \"127.0.0.1\"
port = $admin_port

[catalog]
conninfo = \"host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=postgres\"

[auth]
passthrough_unknown_users = true
failure_delay_ms = 0"
url="http://127.0.0.1:$admin_port/metrics"

scrape() { curl -sS --max-time 10 "$url"; }
# value NAME_WITH_LABELS: the sample's value in a fresh scrape (0 when absent).
value() { scrape | awk -v n="$1" '$1 == n {print $2; found=1} END {if (!found) print 0}'; }
through() { psql -X -At -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres -d "$GDPR_DB" "$@"; }

# The response: status, media type, and a well-formed exposition.
headers=$(curl -sS --max-time 10 -D - -o "$GDPR_TMP/metrics.txt" "$url")
expect_contains "$headers" "HTTP/1.1 200 OK" "status"
expect_contains "$headers" "Content-Type: text/plain; version=0.0.4; charset=utf-8" "media type"
python3 - "$GDPR_TMP/metrics.txt" <<'PY' || fail "the exposition is malformed"
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n")
typed, helped, samples = set(), set(), 0
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (\S+)$')
for line in text.splitlines():
    if line.startswith("# HELP "):
        helped.add(line.split()[2])
    elif line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        assert kind in ("counter", "gauge", "histogram"), line
        typed.add(name)
    else:
        m = sample.match(line)
        assert m, f"bad sample line: {line!r}"
        float(m.group(4))
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in typed or base in typed, f"sample without TYPE: {line!r}"
        samples += 1
assert typed == helped and samples > 10, (typed, helped, samples)
PY

for name in gdpr_proxy_rewrite_cache_hits_total gdpr_proxy_rewrite_cache_misses_total; do
  expect_contains "$(scrape)" "$name 0" "$name"
done

conn0=$(value gdpr_proxy_client_connections_total)
q0=$(value gdpr_proxy_queries_total)
h0=$(value gdpr_proxy_query_duration_seconds_count)
up0=$(value 'gdpr_proxy_bytes_total{direction="client_to_server"}')
down0=$(value 'gdpr_proxy_bytes_total{direction="server_to_client"}')

# Three simple queries in three sessions.
for i in 1 2 3; do [[ $(through -c "select $i") == "$i" ]] || fail "query $i"; done
# Twenty extended-protocol queries (Parse/Bind/Execute/Sync) in one session.
printf 'select 1;\n' >"$GDPR_TMP/metrics_bench.sql"
pgbench -n -M extended -t 20 -c 1 -f "$GDPR_TMP/metrics_bench.sql" -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres "$GDPR_DB" >/dev/null 2>&1 ||
  fail "pgbench through the proxy"

conn1=$(value gdpr_proxy_client_connections_total)
q1=$(value gdpr_proxy_queries_total)
h1=$(value gdpr_proxy_query_duration_seconds_count)
((conn1 - conn0 >= 4)) || fail "connections_total went from $conn0 to $conn1 after 4 sessions"
((q1 - q0 >= 23)) || fail "queries_total went from $q0 to $q1 after 3 queries and 20 executes"
((h1 - h0 >= 23)) || fail "the latency histogram counted $((h1 - h0)) of 23 queries"
(($(value 'gdpr_proxy_bytes_total{direction="client_to_server"}') > up0)) || fail "client-to-server bytes did not grow"
(($(value 'gdpr_proxy_bytes_total{direction="server_to_client"}') > down0)) || fail "server-to-client bytes did not grow"
inf=$(value 'gdpr_proxy_query_duration_seconds_bucket{le="+Inf"}')
((inf == h1)) || fail "the +Inf bucket ($inf) differs from the count ($h1)"

# An open session shows in the gauge, and leaves it when it ends.
open0=$(value gdpr_proxy_client_connections_open)
through -c "select pg_sleep(1.5)" >/dev/null &
sleeper=$!
sleep 0.7
open1=$(value gdpr_proxy_client_connections_open)
((open1 == open0 + 1)) || fail "connections_open went from $open0 to $open1 with one session open"
wait "$sleeper"
sleep 0.2
(($(value gdpr_proxy_client_connections_open) == open0)) || fail "connections_open did not fall back to $open0"

# A wrong password for an end user: refused by the proxy.
p0=$(value 'gdpr_proxy_auth_failures_total{by="proxy"}')
PGPASSWORD=wrong psql -X -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U anna -d "$GDPR_DB" -c "select 1" >/dev/null 2>&1 &&
  fail "a wrong password was accepted"
(($(value 'gdpr_proxy_auth_failures_total{by="proxy"}') == p0 + 1)) || fail "the proxy's auth failure was not counted"
# An unknown role, passed through: refused by PostgreSQL (28000).
s0=$(value 'gdpr_proxy_auth_failures_total{by="server"}')
psql -X -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U no_such_role -d "$GDPR_DB" -c "select 1" >/dev/null 2>&1 &&
  fail "an unknown role logged in"
(($(value 'gdpr_proxy_auth_failures_total{by="server"}') == s0 + 1)) || fail "the server's auth failure was not counted"

# Only GET/HEAD /metrics is served.
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/other") == 404 ]] || fail "unknown path"
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$url") == 405 ]] || fail "POST"
[[ $(curl -s -o /dev/null -w '%{http_code}' -I "$url") == 200 ]] || fail "HEAD"

# A second proxy cannot take the same admin port: it says so and does not start.
out=$(start_own_proxy proxy_metrics_clash "[admin]
port = $admin_port" 2>&1) && fail "a second proxy started on a taken admin port"
expect_contains "$out" "cannot listen on 127.0.0.1:$admin_port ([admin] host, port): Address already in use" "admin port taken"
kill -0 "$OWN_PROXY_PID" || fail "the proxy died"
echo ok
