#!/usr/bin/env bash
# The proxy's own login to PostgreSQL when pg_hba.conf asks a policy role for
# scram-sha-256: with a [server] passfile entry the proxy answers the server's
# SCRAM as a client (and checks the server's signature); without one the end
# user gets a clear FATAL saying so; a wrong passfile password gets the
# server's own refusal relayed.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

hba=$(direct -c "SHOW hba_file")
[[ -w $hba ]] || fail "cannot edit $hba to make a role use scram-sha-256"
cp -p "$hba" "$GDPR_TMP/pg_hba.conf.saved"
cleanup() {
  cp -p "$GDPR_TMP/pg_hba.conf.saved" "$hba" && direct -c "SELECT pg_reload_conf()" >/dev/null || true
  direct -c "SELECT gdpr_user_drop('pa_scram_user') FROM gdpr.users WHERE name = 'pa_scram_user'" >/dev/null || true
  direct -c "SELECT gdpr_policy_drop('pa_scram') FROM gdpr.policies WHERE name = 'pa_scram'" >/dev/null || true
  stop_own_proxy
}
trap cleanup EXIT

direct -c "SELECT gdpr_policy_create('pa_scram'); SELECT gdpr_user_add('pa_scram_user', 'pa_scram', 'pa_scram_user')" >/dev/null
direct -c "SET password_encryption = 'scram-sha-256'; ALTER ROLE gdpr_policy_pa_scram PASSWORD 'server-side-secret'" >/dev/null
{ echo "host all gdpr_policy_pa_scram 127.0.0.1/32 scram-sha-256"; cat "$GDPR_TMP/pg_hba.conf.saved"; } >"$hba"
direct -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5

login() {
  PGPASSWORD=pa_scram_user PGOPTIONS= psql -X -At -h "$GDPR_HOST" -p "$1" -U pa_scram_user -d "$GDPR_DB" \
    -c "SELECT current_user || '|' || current_setting('gdpr.actor')" 2>&1
}

# start_scram_proxy PASSWORD: an own proxy whose passfile gives PASSWORD for the role.
start_scram_proxy() {
  stop_own_proxy
  local passfile="$GDPR_TMP/proxy_auth_server_scram.pass"
  (umask 077 && printf '# the policy role of pa_scram\n*:*:*:gdpr_policy_pa_scram:%s\n' "$1" >"$passfile")
  start_own_proxy proxy_auth_server_scram "[catalog]
conninfo = \"host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=postgres\"
[auth]
passthrough_unknown_users = false"
  trap cleanup EXIT  # start_own_proxy installed its own EXIT trap
  # start_own_proxy has no [server] hook: add the key to its file and restart.
  stop_own_proxy
  sed -i "/^\[server\]/a passfile = \"$passfile\"" "$GDPR_TMP/proxy_auth_server_scram.toml"
  "$PROXY_BIN" --config "$GDPR_TMP/proxy_auth_server_scram.toml" >"$OWN_PROXY_LOG" 2>&1 &
  OWN_PROXY_PID=$!
  wait_port "$OWN_PROXY_PORT" || { cat "$OWN_PROXY_LOG" >&2; fail "proxy with passfile did not start"; }
}

start_scram_proxy server-side-secret
out=$(login "$OWN_PROXY_PORT") || fail "login through SCRAM to the server failed: $out"
[[ $out == "gdpr_policy_pa_scram|pa_scram_user" ]] || fail "expected gdpr_policy_pa_scram|pa_scram_user, got $out"
echo "with passfile: $out"

# The harness's proxy has no passfile.
out=$(login "$GDPR_PROXY_PORT") && fail "login without a server password succeeded: $out"
expect_contains "$out" 'asks gdpr-proxy for a password for role "gdpr_policy_pa_scram"' "no passfile"
echo "without passfile: refused"

start_scram_proxy wrong-secret
out=$(login "$OWN_PROXY_PORT") && fail "wrong server password accepted: $out"
expect_contains "$out" 'password authentication failed for user "gdpr_policy_pa_scram"' "server refusal relayed"
echo "wrong passfile password: the server's refusal relayed"
echo "ok: server-side SCRAM from a passfile"
