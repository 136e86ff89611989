#!/usr/bin/env bash
# Malformed client input gets a FATAL ErrorResponse with SQLSTATE 08P01 and the
# connection is closed; the proxy itself keeps serving.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

check() {  # check MODE EXPECTED
  local out
  out=$(raw_exchange "$GDPR_PROXY_PORT" "$1")
  echo "$1: $out"
  expect_contains "$out" "$2" "$1"
  expect_contains "$out" "then closed" "$1 closes the connection"
}

check v2_startup "08P01 unsupported frontend protocol 2.0: the proxy supports 3.0"
check long_startup "08P01 invalid length of startup packet"
check unknown_type "08P01 invalid message type 'z' from the client"
check bad_length "08P01 invalid length 2 of Query message from the client"
check huge_message "08P01 Query message from the client is 2147483644 bytes, over the limit of 1073741824 bytes"

# Random garbage as a first packet: refused or dropped, never a crash.
for i in $(seq 20); do
  head -c $((RANDOM % 300 + 1)) /dev/urandom | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$GDPR_PROXY_PORT; cat >&3; cat <&3 >/dev/null" || true
done

[[ $(via_proxy -c "select 'alive'") == alive ]] || fail "the proxy stopped serving after malformed input"
echo ok
