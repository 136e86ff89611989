#!/usr/bin/env bash
# Refused logins through gdpr-proxy: a wrong password, a disabled user and an
# expired user all get PostgreSQL's standard "password authentication failed"
# (28P01) after about a second; names that are not proxy users go to
# PostgreSQL's own authentication when passthrough_unknown_users is on and are
# refused like a wrong password when it is off; an unreadable catalog stops
# the proxy at start-up with one clear line.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

# login PORT USER PASSWORD: prints psql's output (stdout+stderr); status of psql.
login() {
  PGPASSWORD=$3 PGOPTIONS= psql -X -At -h "$GDPR_HOST" -p "$1" -U "$2" -d "$GDPR_DB" -c "SELECT current_user" 2>&1
}
now_ms() { date +%s%3N; }
# expect_refused PORT USER PASSWORD WHAT: the standard failure, after >= 900 ms.
expect_refused() {
  local start out elapsed
  start=$(now_ms)
  out=$(login "$@") && fail "$4: login succeeded: $out"
  elapsed=$(($(now_ms) - start))
  expect_contains "$out" "password authentication failed for user \"$2\"" "$4"
  ((elapsed >= 900)) || fail "$4: refused after $elapsed ms, expected >= 900 ms (failure delay)"
  echo "$4: refused after $elapsed ms"
}

cleanup() {
  direct -c "SELECT gdpr_user_drop(name) FROM gdpr.users WHERE name IN ('pa_disabled', 'pa_expired')" >/dev/null || true
  stop_own_proxy
}
trap cleanup EXIT
direct -c "SELECT gdpr_user_add('pa_disabled', 'agent', 'pa_disabled'); SELECT gdpr_user_disable('pa_disabled');
           SELECT gdpr_user_add('pa_expired', 'agent', 'pa_expired', now() - interval '1 minute')" >/dev/null

expect_refused "$GDPR_PROXY_PORT" anna wrong-password "wrong password"
sleep 1  # the NOTIFY of the two new users reaches the proxy
expect_refused "$GDPR_PROXY_PORT" pa_disabled pa_disabled "disabled user"
expect_refused "$GDPR_PROXY_PORT" pa_expired pa_expired "expired user"

# The same refusal for all four; the proxy's log has the real reasons.
log="$GDPR_ROOT/.test/logs/proxy.log"
if [[ -f $log && $GDPR_PROXY_PORT == 6439 ]]; then
  expect_contains "$(cat "$log")" "\"pa_disabled\": the user is disabled" "log names the reason"
fi

# Re-enabled, the disabled user gets in.
direct -c "SELECT gdpr_user_enable('pa_disabled')" >/dev/null
for _ in $(seq 30); do login "$GDPR_PROXY_PORT" pa_disabled pa_disabled >/dev/null && break; sleep 0.1; done
[[ $(login "$GDPR_PROXY_PORT" pa_disabled pa_disabled) == gdpr_policy_agent ]] || fail "re-enabled user cannot log in"

# Passthrough on (the harness's proxy): not a proxy user -> PostgreSQL decides.
[[ $(login "$GDPR_PROXY_PORT" postgres "") == postgres ]] || fail "postgres through passthrough"
out=$(login "$GDPR_PROXY_PORT" no_such_role x) && fail "unknown role admitted: $out"
expect_contains "$out" "role \"no_such_role\" does not exist" "PostgreSQL's own refusal of an unknown role"

# Passthrough off: a name outside gdpr.users is refused like a wrong password,
# after a full (mock) SCRAM exchange.
OWN_PROXY_PORT=$(free_port)
OWN_PROXY_LOG="$GDPR_TMP/proxy_auth_failures.log"
cat >"$GDPR_TMP/proxy_auth_failures.toml" <<TOML
[listen]
host = "127.0.0.1"
port = $OWN_PROXY_PORT
[server]
host = "$GDPR_HOST"
port = $GDPR_PG_PORT
[catalog]
conninfo = "host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=postgres"
[auth]
passthrough_unknown_users = false
TOML
"$PROXY_BIN" --config "$GDPR_TMP/proxy_auth_failures.toml" >"$OWN_PROXY_LOG" 2>&1 &
OWN_PROXY_PID=$!
wait_port "$OWN_PROXY_PORT" || { cat "$OWN_PROXY_LOG" >&2; fail "own proxy did not start"; }
expect_refused "$OWN_PROXY_PORT" postgres postgres "postgres with passthrough off"
expect_refused "$OWN_PROXY_PORT" no_such_role x "unknown name with passthrough off"
[[ $(login "$OWN_PROXY_PORT" anna anna) == gdpr_policy_agent ]] || fail "anna through the passthrough-off proxy"
expect_contains "$(cat "$OWN_PROXY_LOG")" "not a proxy user" "log names the reason (passthrough off)"
stop_own_proxy

# The catalog cannot be read: one line at start-up, exit status 1.
cat >"$GDPR_TMP/proxy_auth_bad_catalog.toml" <<TOML
[listen]
host = "127.0.0.1"
port = $(free_port)
[server]
host = "$GDPR_HOST"
port = $GDPR_PG_PORT
[catalog]
conninfo = "host=$GDPR_HOST port=$GDPR_PG_PORT dbname=no_such_db user=postgres"
TOML
status=0
out=$(timeout 20 "$PROXY_BIN" --config "$GDPR_TMP/proxy_auth_bad_catalog.toml" 2>&1) || status=$?
((status == 1)) || fail "bad catalog: exit status $status: $out"
expect_contains "$out" "gdpr-proxy: error: cannot load the user catalog ([catalog] conninfo):" "bad catalog message"
expect_contains "$out" "no_such_db" "bad catalog names the database"
echo "bad catalog: $out"
echo "ok: refusals look alike, take >= 0.9 s, passthrough on and off, catalog start-up error"
