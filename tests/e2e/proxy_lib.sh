# Helpers shared by the tests/e2e/proxy_*.sh scripts (sourced, not a test: not executable).
# shellcheck shell=bash

: "${GDPR_HOST:?run through scripts/e2e.sh or set the harness variables}"
PROXY_BIN="$GDPR_BUILD_DIR/proxy/gdpr-proxy"
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

# psql through the harness's proxy / straight to the server.
via_proxy() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" "$@"; }
direct() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_contains TEXT NEEDLE WHAT
expect_contains() {
  if [[ $1 != *"$2"* ]]; then
    printf 'FAIL: %s: expected to find\n  %s\nin\n%s\n' "$3" "$2" "$1" >&2
    exit 1
  fi
}

# A TCP port nobody listens on right now.
# A port nobody listens on, below Linux's ephemeral range (32768-60999) so an
# outgoing connection's source port cannot take it before our listener does;
# checked by binding, which a port in TIME_WAIT or in use would refuse.
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port")
PY
}

wait_port() {
  local port=$1 i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# start_own_proxy NAME [EXTRA_TOML]: a second gdpr-proxy in front of the same
# server, on a free port. Sets OWN_PROXY_PORT, OWN_PROXY_PID, OWN_PROXY_LOG.
# Stopped by stop_own_proxy (registered on EXIT).
start_own_proxy() {
  local name=$1 extra=${2:-}
  # The foundation tests log in as postgres: PostgreSQL's own authentication,
  # relayed (gdpr-proxy refuses names outside its user catalog by default).
  local auth=$'[auth]\npassthrough_unknown_users = true'
  [[ $extra == *"[auth]"* ]] && auth=""
  OWN_PROXY_PORT=$(free_port)
  OWN_PROXY_LOG="$GDPR_TMP/$name.log"
  cat >"$GDPR_TMP/$name.toml" <<TOML
[listen]
host = "127.0.0.1"
port = $OWN_PROXY_PORT

[server]
host = "$GDPR_HOST"
port = $GDPR_PG_PORT

[runtime]
threads = 2
drain_timeout_seconds = 10

$auth

$extra
TOML
  "$PROXY_BIN" --config "$GDPR_TMP/$name.toml" >"$OWN_PROXY_LOG" 2>&1 &
  OWN_PROXY_PID=$!
  trap stop_own_proxy EXIT
  wait_port "$OWN_PROXY_PORT" || { cat "$OWN_PROXY_LOG" >&2; fail "gdpr-proxy ($name) did not start"; }
}

stop_own_proxy() {
  if [[ -n ${OWN_PROXY_PID:-} ]] && kill -0 "$OWN_PROXY_PID" 2>/dev/null; then
    kill -TERM "$OWN_PROXY_PID" 2>/dev/null || true
    wait "$OWN_PROXY_PID" 2>/dev/null || true
  fi
  OWN_PROXY_PID=""
}

# raw_exchange PORT MODE: speaks the wire protocol by hand (what no well-behaved
# client would send) and prints the first ErrorResponse as "SQLSTATE message",
# or "no error" / "closed". MODE:
#   plain_startup   a StartupMessage without TLS
#   v2_startup      a protocol 2.0 StartupMessage
#   long_startup    a startup length word of 10001
#   unknown_type    a valid start-up, then a message of type 'z'
#   bad_length      a valid start-up, then a Query whose length word is 2
#   huge_message    a valid start-up, then a Query header claiming 2 GiB
raw_exchange() {
  python3 - "$1" "$2" "$GDPR_DB" <<'PY'
import socket, struct, sys
port, mode, db = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def startup(version=196608):
    body = struct.pack("!I", version) + b"user\0postgres\0database\0" + db.encode() + b"\0\0"
    return struct.pack("!I", len(body) + 4) + body

def read_messages(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data, True
        data += chunk
        # stop at ReadyForQuery or ErrorResponse
        pos = 0
        while pos + 5 <= len(data):
            t = data[pos:pos+1]
            n = struct.unpack("!I", data[pos+1:pos+5])[0]
            if pos + 1 + n > len(data):
                break
            if t in (b"Z", b"E"):
                return data, False
            pos += 1 + n

def first_error(data):
    pos = 0
    while pos + 5 <= len(data):
        t = data[pos:pos+1]
        n = struct.unpack("!I", data[pos+1:pos+5])[0]
        body = data[pos+5:pos+1+n]
        if t == b"E":
            fields = {}
            for part in body.split(b"\0"):
                if part:
                    fields[chr(part[0])] = part[1:].decode()
            return f"{fields.get('C')} {fields.get('M')}"
        pos += 1 + n
    return None

s = socket.create_connection(("127.0.0.1", port), timeout=10)
if mode == "plain_startup":
    s.sendall(startup())
elif mode == "v2_startup":
    s.sendall(startup(2 << 16))
elif mode == "long_startup":
    s.sendall(struct.pack("!II", 10001, 196608))
else:
    s.sendall(startup())
    data, closed = read_messages(s)
    if first_error(data) or closed:
        print("start-up failed:", first_error(data)); sys.exit(0)
    if mode == "unknown_type":
        s.sendall(b"z" + struct.pack("!I", 4))
    elif mode == "bad_length":
        s.sendall(b"Q" + struct.pack("!I", 2))
    elif mode == "huge_message":
        s.sendall(b"Q" + struct.pack("!I", 2**31))
data, closed = read_messages(s)
err = first_error(data)
print(err if err else ("closed" if closed else "no error"))
# after an error the proxy must close the connection
if err:
    s.settimeout(5)
    rest = b"x"
    try:
        while rest:
            rest = s.recv(65536)
        print("then closed")
    except socket.timeout:
        print("then left open")
PY
}
