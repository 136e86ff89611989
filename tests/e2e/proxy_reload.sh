#!/usr/bin/env bash
# SIGHUP reloads the configuration without dropping sessions: a session open
# across the reload keeps working (on its old TLS certificate), new sessions
# get the new certificate and settings; a broken file or a broken TLS file is
# logged with the reason and the running configuration stays; a restart-only
# setting is reported and keeps its running value.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

dir="$GDPR_TMP/proxy_reload"
rm -rf "$dir" && mkdir -p "$dir"
for name in a b; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=proxy-$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.crt" 2>/dev/null
done

config="$dir/proxy.toml"
OWN_PROXY_PORT=$(free_port)
OWN_PROXY_LOG="$dir/proxy.log"
# write_config CERT [EXTRA_SERVER_KEYS] [LISTEN_PORT]
write_config() {
  cat >"$config" <<TOML
[listen]
host = "127.0.0.1"
port = ${3:-$OWN_PROXY_PORT}

[server]
host = "$GDPR_HOST"
port = $GDPR_PG_PORT
${2:-}

[tls]
cert_file = "$dir/$1.crt"
key_file = "$dir/$1.key"

[runtime]
threads = 2

[auth]
passthrough_unknown_users = true
TOML
}
# reload: sends SIGHUP and waits for the proxy to say what it did.
reload() {
  local before
  before=$(grep -c "reload: " "$OWN_PROXY_LOG" || true)
  kill -HUP "$OWN_PROXY_PID"
  for _ in $(seq 100); do
    (($(grep -c "reload: \(applied\|.*keeping the running configuration\)" "$OWN_PROXY_LOG" || true) > before)) && return 0
    sleep 0.05
  done
  fail "no reload message in the log after SIGHUP: $(tail -n 5 "$OWN_PROXY_LOG")"
}
# connect CA [DB]: a TLS session that checks the proxy's certificate against CA.
connect() {
  psql -X -At "host=127.0.0.1 port=$OWN_PROXY_PORT user=postgres dbname=${2:-$GDPR_DB} sslmode=verify-ca sslrootcert=$dir/$1.crt" \
    -c "select 'connected'" 2>&1
}

write_config a
"$PROXY_BIN" --config "$config" >"$OWN_PROXY_LOG" 2>&1 &
OWN_PROXY_PID=$!
trap stop_own_proxy EXIT
wait_port "$OWN_PROXY_PORT" || { cat "$OWN_PROXY_LOG" >&2; fail "gdpr-proxy did not start"; }
pid=$OWN_PROXY_PID

[[ $(connect a) == connected ]] || fail "certificate a before the reload: $(connect a)"
connect b >/dev/null && fail "certificate b accepted before the reload"
[[ $(connect a postgres) == connected ]] || fail "database postgres before the reload"

# A session that spans the reload: its second statement runs after it.
spanning="$dir/spanning.out"
psql -X -At "host=127.0.0.1 port=$OWN_PROXY_PORT user=postgres dbname=$GDPR_DB sslmode=verify-ca sslrootcert=$dir/a.crt" \
  -c "select pg_sleep(2)" -c "select 'survived ' || count(*) from calls" >"$spanning" 2>&1 &
spanning_pid=$!
sleep 0.5

# New certificate, and a setting new sessions must obey: only gdpr_demo is served.
write_config b "dbname = \"$GDPR_DB\""
reload
expect_contains "$(cat "$OWN_PROXY_LOG")" "reload: applied $config" "reload log"
[[ $(connect b) == connected ]] || fail "certificate b after the reload: $(connect b)"
connect a >/dev/null && fail "certificate a still served after the reload"
out=$(connect b postgres) && fail "database postgres admitted after [server] dbname was set: $out"
expect_contains "$out" "database \"postgres\" is not served by this proxy" "new setting applies to new sessions"

wait "$spanning_pid" || fail "the session open across the reload failed: $(cat "$spanning")"
expect_contains "$(cat "$spanning")" "survived $(direct -c 'select count(*) from calls')" "session across the reload"

# A broken file: the reason is logged, the running configuration stays.
printf '[listen]\nport = "not a number"\n' >"$config"
reload
expect_contains "$(cat "$OWN_PROXY_LOG")" "[listen] port: must be an integer between 1 and 65535, got string 'not a number'; keeping the running configuration" "broken file"
[[ $(connect b) == connected ]] || fail "after a broken file: $(connect b)"

# A broken TLS file (the TOML itself is fine): refused the same way.
write_config a
printf 'garbage\n' >"$dir/a.crt"
reload
expect_contains "$(cat "$OWN_PROXY_LOG")" "[tls] cert_file \"$dir/a.crt\": cannot load certificate" "broken certificate"
expect_contains "$(cat "$OWN_PROXY_LOG")" "keeping the running configuration" "broken certificate kept the old"
[[ $(connect b) == connected ]] || fail "after a broken certificate: $(connect b)"

# A restart-only setting: reported, not applied; everything else is.
other_port=$(free_port)
write_config b "" "$other_port"
reload
expect_contains "$(cat "$OWN_PROXY_LOG")" "reload: [listen] host, port (127.0.0.1:$OWN_PROXY_PORT -> 127.0.0.1:$other_port) changed; this setting takes effect only after a restart" "restart-only setting"
[[ $(connect b postgres) == connected ]] || fail "dropping [server] dbname did not apply: $(connect b postgres)"
(exec 3<>"/dev/tcp/127.0.0.1/$other_port") 2>/dev/null && fail "the proxy moved to the new port without a restart"

[[ $OWN_PROXY_PID == "$pid" ]] && kill -0 "$pid" || fail "the proxy did not survive the reloads"
# It still drains and stops cleanly.
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
OWN_PROXY_PID=""
((status == 0)) || fail "exit status $status after the reloads"
echo ok
