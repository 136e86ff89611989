#!/usr/bin/env bash
# TLS from gdpr-proxy to PostgreSQL ([server] sslmode): the test makes its own
# CA with openssl and turns ssl on in the harness's cluster. sslmode=require
# encrypts; verify-full accepts the server's certificate with the right CA and
# host name, and refuses a wrong CA or a name mismatch with a clear FATAL
# 08006 to the client; a server without TLS is refused under require; fixing
# sslrootcert and sending SIGHUP heals a misconfigured proxy without a restart.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

dir="$GDPR_TMP/proxy_server_tls"
rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir"

cleanup() {
  stop_own_proxy
  for setting in ssl ssl_cert_file ssl_key_file; do direct -c "ALTER SYSTEM RESET $setting" >/dev/null 2>&1 || true; done
  direct -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# A CA, a server certificate it signs (localhost and 127.0.0.1), a second
# certificate it signs for another name, and an unrelated CA.
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=gdpr test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt"
ossl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=unrelated CA" -keyout "$dir/other-ca.key" -out "$dir/other-ca.crt"
server_cert() {  # NAME CN SAN
  ossl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$dir/$1.key" -out "$dir/$1.csr"
  printf 'subjectAltName=%s\n' "$3" >"$dir/$1.ext"
  ossl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 1 \
    -extfile "$dir/$1.ext" -out "$dir/$1.crt"
  chmod 600 "$dir/$1.key"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir/$1.key"; fi
}
server_cert server localhost "DNS:localhost,IP:127.0.0.1"
server_cert elsewhere db.example.com "DNS:db.example.com"

# start_tls_proxy HOST SSLMODE [ROOTCERT]: (re)starts our proxy in front of
# the harness's server, reached as HOST, with these [server] TLS settings.
config="$GDPR_TMP/proxy_server_tls.toml"
OWN_PROXY_PORT=$(free_port)
OWN_PROXY_LOG="$GDPR_TMP/proxy_server_tls.log"
start_tls_proxy() {
  stop_own_proxy
  cat >"$config" <<TOML
[listen]
host = "127.0.0.1"
port = $OWN_PROXY_PORT

[server]
host = "$1"
port = $GDPR_PG_PORT
sslmode = "$2"
${3:+sslrootcert = \"$3\"}

[runtime]
threads = 2

[auth]
passthrough_unknown_users = true
TOML
  "$PROXY_BIN" --config "$config" >"$OWN_PROXY_LOG" 2>&1 &
  OWN_PROXY_PID=$!
  wait_port "$OWN_PROXY_PORT" || { cat "$OWN_PROXY_LOG" >&2; fail "gdpr-proxy did not start"; }
}
through_proxy() { psql -X -At "host=127.0.0.1 port=$OWN_PROXY_PORT user=postgres dbname=$GDPR_DB sslmode=disable" "$@" 2>&1; }
server_side_ssl="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

# 1. The harness's server has ssl off: sslmode=require is refused, with the reason.
[[ $(direct -c "SHOW ssl") == off ]] || fail "the harness's server unexpectedly has ssl on"
start_tls_proxy 127.0.0.1 require
out=$(through_proxy -c "select 1") && fail "sslmode=require connected to a server without TLS: $out"
expect_contains "$out" "the database server does not accept TLS, and gdpr-proxy's [server] sslmode is \"require\"" "no TLS on the server"
out=$(raw_exchange "$OWN_PROXY_PORT" plain_startup)
expect_contains "$out" "08006 the database server does not accept TLS" "SQLSTATE of the refusal"

# 2. ssl on, with the CA-signed certificate.
direct -c "ALTER SYSTEM SET ssl_cert_file = '$dir/server.crt'" >/dev/null
direct -c "ALTER SYSTEM SET ssl_key_file = '$dir/server.key'" >/dev/null
direct -c "ALTER SYSTEM SET ssl = on" >/dev/null
direct -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 50); do [[ $(direct -c "SHOW ssl") == on ]] && break; sleep 0.1; done
[[ $(direct -c "SHOW ssl") == on ]] || fail "the server did not turn ssl on: $(tail -n 5 "$GDPR_ROOT/.test/cluster/server.log")"

# 3. require: encrypted, the server sees a TLS connection; queries work.
start_tls_proxy 127.0.0.1 require
[[ $(through_proxy -c "$server_side_ssl") == t ]] || fail "sslmode=require: the server connection is not TLS: $(through_proxy -c "$server_side_ssl")"
[[ $(through_proxy -c "select count(*) from calls") == "$(direct -c 'select count(*) from calls')" ]] || fail "query over server TLS"

# 4. verify-full with the right CA, by address and by name.
start_tls_proxy 127.0.0.1 verify-full "$dir/ca.crt"
[[ $(through_proxy -c "$server_side_ssl") == t ]] || fail "verify-full to 127.0.0.1: $(through_proxy -c "$server_side_ssl")"
start_tls_proxy localhost verify-full "$dir/ca.crt"
[[ $(through_proxy -c "$server_side_ssl") == t ]] || fail "verify-full to localhost: $(through_proxy -c "$server_side_ssl")"

# 5. verify-full with a CA that did not sign the server's certificate.
start_tls_proxy 127.0.0.1 verify-full "$dir/other-ca.crt"
out=$(through_proxy -c "select 1") && fail "verify-full accepted a certificate from another CA: $out"
expect_contains "$out" "gdpr-proxy cannot verify the database server's certificate: unable to get local issuer certificate" "wrong CA"
expect_contains "$out" "HINT:  Check [server] sslrootcert" "wrong CA hint"
out=$(raw_exchange "$OWN_PROXY_PORT" plain_startup)
expect_contains "$out" "08006 gdpr-proxy cannot verify the database server's certificate" "wrong CA SQLSTATE"
expect_contains "$out" "then closed" "connection after the refusal"
expect_contains "$(cat "$OWN_PROXY_LOG")" "failed verify-full against \"127.0.0.1\": unable to get local issuer certificate" "proxy log"

# 6. SIGHUP with the right CA heals it, without a restart.
pid_before=$OWN_PROXY_PID
sed -i "s|$dir/other-ca.crt|$dir/ca.crt|" "$config"
kill -HUP "$OWN_PROXY_PID"
for _ in $(seq 50); do grep -q "reload: applied" "$OWN_PROXY_LOG" && break; sleep 0.1; done
expect_contains "$(cat "$OWN_PROXY_LOG")" "reload: applied" "reload after fixing sslrootcert"
[[ $(through_proxy -c "$server_side_ssl") == t ]] || fail "verify-full after the reload: $(through_proxy -c "$server_side_ssl")"
kill -0 "$pid_before" || fail "the proxy restarted instead of reloading"

# 7. A certificate for another name: verify-full refuses it (the chain alone is not enough).
direct -c "ALTER SYSTEM SET ssl_cert_file = '$dir/elsewhere.crt'" >/dev/null
direct -c "ALTER SYSTEM SET ssl_key_file = '$dir/elsewhere.key'" >/dev/null
direct -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
start_tls_proxy 127.0.0.1 verify-full "$dir/ca.crt"
out=$(through_proxy -c "select 1") && fail "verify-full accepted a certificate for db.example.com at 127.0.0.1: $out"
expect_contains "$out" "gdpr-proxy cannot verify the database server's certificate: IP address mismatch" "address mismatch"
start_tls_proxy localhost verify-full "$dir/ca.crt"
out=$(through_proxy -c "select 1") && fail "verify-full accepted a certificate for db.example.com at localhost: $out"
expect_contains "$out" "gdpr-proxy cannot verify the database server's certificate: hostname mismatch" "name mismatch"
# require does not check names (like libpq's sslmode=require): still connects.
start_tls_proxy 127.0.0.1 require
[[ $(through_proxy -c "$server_side_ssl") == t ]] || fail "sslmode=require with another name"

# 8. --check-config loads sslrootcert too.
printf 'not a certificate\n' >"$dir/garbage.crt"
sed -i "s|sslmode = \"require\"|sslmode = \"verify-full\"\nsslrootcert = \"$dir/garbage.crt\"|" "$config"
out=$("$PROXY_BIN" --check-config --config "$config" 2>&1) && fail "--check-config accepted a garbage sslrootcert"
expect_contains "$out" "[server] sslrootcert \"$dir/garbage.crt\": cannot load CA certificates" "--check-config"
kill -0 "$OWN_PROXY_PID" || fail "the proxy died"
echo ok
