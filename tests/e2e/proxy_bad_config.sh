#!/usr/bin/env bash
# Start-up errors: each bad configuration makes gdpr-proxy exit non-zero with
# one clear line naming the problem; --check-config accepts a good file.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

dir="$GDPR_TMP/proxy_bad_config"
mkdir -p "$dir"
free=$(free_port)

# expect_start_error NAME EXPECTED_MESSAGE [--check-config] < CONFIG
expect_start_error() {
  local name=$1 expected=$2 status=0 out
  shift 2
  cat >"$dir/$name.toml"
  out=$(timeout 20 "$PROXY_BIN" --config "$dir/$name.toml" "$@" 2>&1) || status=$?
  ((status != 0)) || fail "$name: exit status 0, output: $out"
  ((status != 124)) || fail "$name: still running after 20 s (should have refused to start)"
  expect_contains "$out" "$expected" "$name"
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || fail "$name: expected one line, got: $out"
  echo "$name: $out"
}

server="[server]
host = \"$GDPR_HOST\"
port = $GDPR_PG_PORT"

out=$("$PROXY_BIN" --config "$dir/does-not-exist.toml" 2>&1) && fail "missing file accepted"
expect_contains "$out" "does-not-exist.toml: cannot open configuration file: No such file or directory" "missing file"

expect_start_error port_zero "[listen] port: must be between 1 and 65535, got 0" <<TOML
[listen]
port = 0
$server
TOML

expect_start_error port_too_big "[listen] port: must be between 1 and 65535, got 65536" <<TOML
[listen]
port = 65536
$server
TOML

expect_start_error port_not_a_number "[listen] port: must be an integer between 1 and 65535, got string 'sixty'" <<TOML
[listen]
port = "sixty"
$server
TOML

expect_start_error syntax_error "syntax_error.toml:3:" <<TOML
[listen]
port = $free
host = "127.0.0.1
$server
TOML

expect_start_error unknown_key "[listen] adress: unknown key" <<TOML
[listen]
port = $free
adress = "127.0.0.1"
$server
TOML

# Nothing listens on $closed: the server is unreachable.
closed=$(free_port)
expect_start_error unreachable_server "cannot reach the PostgreSQL server at 127.0.0.1:$closed ([server] host, port): Connection refused" <<TOML
[listen]
port = $free
[server]
host = "127.0.0.1"
port = $closed
TOML

# The harness's proxy already holds GDPR_PROXY_PORT.
expect_start_error address_in_use "cannot listen on 127.0.0.1:$GDPR_PROXY_PORT ([listen] host, port): Address already in use" <<TOML
[listen]
host = "127.0.0.1"
port = $GDPR_PROXY_PORT
$server
TOML

expect_start_error bad_certificate "[tls] cert_file \"$dir/unreachable_server.toml\": cannot load certificate" <<TOML
[listen]
port = $free
$server
[tls]
cert_file = "$dir/unreachable_server.toml"
key_file = "$dir/unreachable_server.toml"
TOML

# --check-config: the same validation, without starting.
expect_start_error check_bad "[limits] max_clients: must be between 1 and 1000000, got 0" --check-config <<TOML
[listen]
port = $free
$server
[limits]
max_clients = 0
TOML
cat >"$dir/good.toml" <<TOML
[listen]
port = $free
$server
TOML
out=$("$PROXY_BIN" --check-config --config "$dir/good.toml") || fail "--check-config refused a good file"
expect_contains "$out" "configuration is valid" "--check-config on a good file"
echo ok
