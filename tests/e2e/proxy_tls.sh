#!/usr/bin/env bash
# TLS on the client side: with [tls] and require_tls, sslmode=require connects
# over TLS and sslmode=disable is refused with SQLSTATE 28000.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

cert="$GDPR_TMP/proxy_tls.crt" key="$GDPR_TMP/proxy_tls.key"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -keyout "$key" -out "$cert" 2>/dev/null
start_own_proxy proxy_tls "[tls]
cert_file = \"$cert\"
key_file = \"$key\"
require_tls = true"

conn="host=127.0.0.1 port=$OWN_PROXY_PORT user=postgres dbname=$GDPR_DB"
info=$(psql -X "$conn sslmode=require" -c '\conninfo' -c 'select count(*) from calls')
expect_contains "$info" "SSL connection (protocol: TLSv1." "sslmode=require through the proxy"
count=$(psql -X -At "$conn sslmode=require" -c 'select count(*) from calls')
[[ $count == "$(direct -c 'select count(*) from calls')" ]] || fail "query over TLS returned $count"

# verify-ca against the throw-away certificate: the client checks the proxy's identity.
psql -X -At "$conn sslmode=verify-ca sslrootcert=$cert" -c 'select 1' >/dev/null || fail "verify-ca failed"

if out=$(psql -X -At "$conn sslmode=disable" -c 'select 1' 2>&1); then
  fail "sslmode=disable was admitted although require_tls = true: $out"
fi
expect_contains "$out" "TLS is required by this proxy" "plaintext refusal message"
# psql does not print a connection error's SQLSTATE; read it off the wire.
out=$(raw_exchange "$OWN_PROXY_PORT" plain_startup)
expect_contains "$out" "28000 TLS is required by this proxy" "plaintext refusal SQLSTATE"
expect_contains "$out" "then closed" "connection after the refusal"

# A second SSLRequest inside TLS is a protocol violation (08P01), as in PostgreSQL.
out=$(python3 - "$OWN_PROXY_PORT" <<'PY'
import socket, ssl, struct, sys
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
raw.sendall(struct.pack("!II", 8, 80877103))
assert raw.recv(1) == b"S"
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
tls = context.wrap_socket(raw)
tls.sendall(struct.pack("!II", 8, 80877103))
data = b""
try:
    while True:
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
except (ssl.SSLError, OSError):
    pass
fields = {chr(p[0]): p[1:].decode() for p in data[5:].split(b"\0") if p}
print(data[:1].decode(), fields.get("C"), fields.get("M"))
PY
)
expect_contains "$out" "E 08P01 encryption request received after TLS was established" "SSLRequest inside TLS"
kill -0 "$OWN_PROXY_PID" || fail "the proxy died"
echo ok
