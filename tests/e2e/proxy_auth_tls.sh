#!/usr/bin/env bash
# SCRAM end users over TLS: a proxy with require_tls and a user catalog lets
# anna in with sslmode=require (policy role, gdpr.actor), refuses a wrong
# password over TLS the same way, and refuses plaintext.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

cert="$GDPR_TMP/proxy_auth_tls.crt" key="$GDPR_TMP/proxy_auth_tls.key"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" -keyout "$key" -out "$cert" 2>/dev/null
start_own_proxy proxy_auth_tls "[tls]
cert_file = \"$cert\"
key_file = \"$key\"
require_tls = true
[catalog]
conninfo = \"host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=postgres\"
[auth]
passthrough_unknown_users = false"

conn="host=127.0.0.1 port=$OWN_PROXY_PORT dbname=$GDPR_DB user=anna"
out=$(PGPASSWORD=anna psql -X -At "$conn sslmode=verify-ca sslrootcert=$cert" \
  -c "SELECT current_user || '|' || current_setting('gdpr.actor') || '|' || (SELECT count(*) FROM tickets)" \
  -c '\conninfo')
expect_contains "$out" "gdpr_policy_agent|anna|" "anna over TLS"
expect_contains "$out" "SSL connection (protocol: TLSv1." "TLS in use"

if out=$(PGPASSWORD=wrong psql -X -At "$conn sslmode=require" -c "SELECT 1" 2>&1); then
  fail "wrong password admitted over TLS: $out"
fi
expect_contains "$out" 'password authentication failed for user "anna"' "wrong password over TLS"

if out=$(PGPASSWORD=anna psql -X -At "$conn sslmode=disable" -c "SELECT 1" 2>&1); then
  fail "plaintext admitted: $out"
fi
expect_contains "$out" "TLS is required by this proxy" "plaintext refused"
echo "ok: SCRAM over TLS"
