# Helpers for the real-client tests (tests/e2e/proxy_client_*.sh, proxy_pgbench.sh):
# each starts its own gdpr-proxy with TLS required, the extension's user
# catalog (end users such as carla) and passthrough for database roles
# (postgres), so every client is exercised over TLS as both kinds of user.
# Sourced, not a test: not executable.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/proxy_lib.sh"

# shellcheck disable=SC2034  # used by the tests that source this file
CLIENTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/clients"

# require_command COMMAND PACKAGE: a missing client is a failure, never a skip
# (CI installs every client with scripts/install-deps.sh).
require_command() {
  command -v "$1" >/dev/null 2>&1 ||
    fail "$1 is not installed (Debian package $2): run scripts/install-deps.sh"
}

# start_tls_proxy NAME: a throw-away certificate for localhost / 127.0.0.1
# (TLS_CERT, usable as a CA by clients that verify) and a proxy that refuses
# plaintext. Sets OWN_PROXY_PORT, OWN_PROXY_PID, OWN_PROXY_LOG like start_own_proxy.
start_tls_proxy() {
  local name=$1
  TLS_CERT="$GDPR_TMP/$name.crt"
  local key="$GDPR_TMP/$name.key"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$key" -out "$TLS_CERT" 2>/dev/null ||
    fail "openssl could not make a test certificate"
  start_own_proxy "$name" "[tls]
cert_file = \"$TLS_CERT\"
key_file = \"$key\"
require_tls = true

[catalog]
conninfo = \"host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=postgres\"

[auth]
passthrough_unknown_users = true"
}

# The libpq connection string of the TLS proxy for USER (password via PGPASSWORD).
tls_conninfo() {
  echo "host=127.0.0.1 port=$OWN_PROXY_PORT dbname=${2:-$GDPR_DB} user=$1 sslmode=require"
}

# expect_proxy_alive: the proxy must survive every client.
expect_proxy_alive() {
  kill -0 "$OWN_PROXY_PID" 2>/dev/null || { tail -n 30 "$OWN_PROXY_LOG" >&2; fail "gdpr-proxy died"; }
}
