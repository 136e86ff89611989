#!/usr/bin/env bash
# psql through gdpr-proxy: a query answers like the server does, a string of
# several statements returns every result, and an error mid-string leaves the
# session usable.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

expected=$(direct -c "select count(*) from calls")
got=$(via_proxy -c "select count(*) from calls")
[[ $got == "$expected" ]] || fail "count(*) through the proxy: got '$got', expected '$expected'"
[[ $got -gt 0 ]] || fail "calls is empty; the test would prove nothing"

multi=$(via_proxy -c "select 1; select 'two'; select count(*) from calls")
[[ $multi == $'1\ntwo\n'"$expected" ]] || fail "multi-statement string returned: $multi"

# The error ends the string (as on a direct connection); the next command on the same session works.
out=$(psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" \
  -c "select 1; select 1/0; select 3" -c "select 'still here'" 2>&1 || true)
expect_contains "$out" "division by zero" "error inside a multi-statement string"
expect_contains "$out" "still here" "session after an error"
[[ $out != *$'\n3\n'* ]] || fail "statements after the error must not run: $out"
echo ok
