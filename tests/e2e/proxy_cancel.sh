#!/usr/bin/env bash
# Cancel through the proxy: Ctrl-C in psql sends a CancelRequest with the key
# the proxy issued; the proxy forwards it with the server's real key and the
# running statement is cancelled within seconds.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

out="$GDPR_TMP/proxy_cancel.out"
start=$(date +%s)
psql -X -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" -c "select pg_sleep(30)" >"$out" 2>&1 &
psql_pid=$!
sleep 1
kill -INT "$psql_pid"
wait "$psql_pid" || true
elapsed=$(($(date +%s) - start))
cat "$out"
grep -q "canceling statement due to user request" "$out" || fail "statement was not cancelled"
((elapsed < 10)) || fail "cancel took ${elapsed}s"

# A CancelRequest with a key the proxy never issued is ignored; the session it
# might target keeps running.
psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" -c "select pg_sleep(2), 'survived'" >"$out" 2>&1 &
psql_pid=$!
sleep 0.5
python3 - "$GDPR_PROXY_PORT" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack("!IIII", 16, 80877102, 12345, 67890))
s.recv(1)  # the proxy closes without answering, like PostgreSQL
PY
wait "$psql_pid" || fail "session was disturbed by a bogus cancel request: $(cat "$out")"
grep -q "survived" "$out" || fail "unexpected output: $(cat "$out")"

# The client holds the proxy's key, never the server's: the process id in the
# BackendKeyData it received differs from the server process serving it.
keys=$(python3 - "$GDPR_PROXY_PORT" "$GDPR_DB" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
body = struct.pack("!I", 196608) + b"user\0postgres\0database\0" + sys.argv[2].encode() + b"\0\0"
s.sendall(struct.pack("!I", len(body) + 4) + body)
buf, key, pid = b"", None, None
def messages():
    global buf
    while True:
        while len(buf) >= 5 and len(buf) >= 1 + struct.unpack("!I", buf[1:5])[0]:
            n = struct.unpack("!I", buf[1:5])[0]
            t, payload, buf = buf[:1], buf[5:1 + n], buf[1 + n:]
            yield t, payload
        chunk = s.recv(65536)
        if not chunk:
            return
        buf += chunk
it = messages()
for t, payload in it:
    if t == b"K":
        key = struct.unpack("!II", payload)
    if t == b"Z":
        break
s.sendall(b"Q" + struct.pack("!I", 4 + 24) + b"select pg_backend_pid()\0")
for t, payload in it:
    if t == b"D":
        pid = int(payload[6:].decode())
    if t == b"Z":
        break
s.sendall(b"X" + struct.pack("!I", 4))
print(key[0], pid)
PY
)
read -r client_pid server_pid <<<"$keys"
echo "key pid seen by the client: $client_pid, server process: $server_pid"
[[ -n $client_pid && -n $server_pid ]] || fail "could not read the keys: $keys"
[[ $client_pid != "$server_pid" ]] || fail "the client received the server's real backend key"
echo ok
