#!/usr/bin/env bash
# gdpr-proxy keeps its user directory current through LISTEN gdpr_catalog: a
# user added after start-up logs in within a second or two, a policy change
# applies at the next login, a new password replaces the old one, a dropped
# user is refused, and the directory survives losing its catalog connection.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

login() {
  PGPASSWORD=$2 PGOPTIONS= psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U "$1" -d "$GDPR_DB" \
    -c "SELECT current_user || '|' || current_setting('gdpr.actor')" 2>&1
}
# eventually SECONDS USER PASSWORD EXPECTED: polls until the login prints EXPECTED.
eventually() {
  local deadline=$(($(date +%s%3N) + $1 * 1000)) start=$(date +%s%3N) out
  while (($(date +%s%3N) < deadline)); do
    out=$(login "$2" "$3") || true
    if [[ $out == "$4" ]]; then
      echo "  after $(($(date +%s%3N) - start)) ms"
      return 0
    fi
    sleep 0.1
  done
  fail "$2 never got '$4' within $1 s; last: $out"
}

cleanup() { direct -c "SELECT gdpr_user_drop('erik') FROM gdpr.users WHERE name = 'erik'" >/dev/null || true; }
trap cleanup EXIT
cleanup

echo "a user added while the proxy runs:"
direct -c "SELECT gdpr_user_add('erik', 'agent', 'erik')" >/dev/null
eventually 3 erik erik "gdpr_policy_agent|erik"

echo "a policy change applies at the next login:"
direct -c "SELECT gdpr_user_set_policy('erik', 'billing')" >/dev/null
eventually 3 erik erik "gdpr_policy_billing|erik"

echo "a new password replaces the old one:"
direct -c "SELECT gdpr_user_set_password('erik', 'erik-2')" >/dev/null
eventually 3 erik erik-2 "gdpr_policy_billing|erik"
out=$(login erik erik) && fail "the old password still works: $out"
expect_contains "$out" 'password authentication failed for user "erik"' "old password refused"

echo "the catalog connection is cut; the proxy reconnects and reloads:"
killed=$(direct -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE application_name = 'gdpr-proxy user catalog'")
((killed >= 1)) || fail "no catalog connection (application_name 'gdpr-proxy user catalog') found to cut"
direct -c "SELECT gdpr_user_set_policy('erik', 'supervisor')" >/dev/null
eventually 10 erik erik-2 "gdpr_policy_supervisor|erik"
# ... and still listens afterwards.
direct -c "SELECT gdpr_user_set_policy('erik', 'agent')" >/dev/null
eventually 3 erik erik-2 "gdpr_policy_agent|erik"

echo "a dropped user is refused:"
direct -c "SELECT gdpr_user_drop('erik')" >/dev/null
sleep 1
out=$(login erik erik-2) && fail "dropped user still logs in: $out"
# With passthrough on, an unknown name goes to PostgreSQL, which has no role erik.
expect_contains "$out" 'erik' "dropped user refused"
echo "ok: NOTIFY-driven reloads, reconnect, policy and password changes"
