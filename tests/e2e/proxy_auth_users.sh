#!/usr/bin/env bash
# End users through gdpr-proxy (SCRAM-SHA-256 against gdpr.users): each demo
# user lands on its policy's backend role with gdpr.actor = its own name, and
# can neither change gdpr.actor nor smuggle start-up options.
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

# as_user USER [psql args...]: psql through the harness's proxy with password = user name.
as_user() {
  local user=$1
  shift
  PGPASSWORD=$user PGOPTIONS= psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U "$user" \
    -d "$GDPR_DB" "$@"
}

for pair in anna:agent boris:billing carla:supervisor dora:dpo; do
  user=${pair%%:*} policy=${pair#*:}
  got=$(as_user "$user" -c "SELECT current_user || '|' || session_user || '|' || current_setting('gdpr.actor')") ||
    fail "$user could not log in through the proxy"
  [[ $got == "gdpr_policy_$policy|gdpr_policy_$policy|$user" ]] ||
    fail "$user: expected gdpr_policy_$policy|gdpr_policy_$policy|$user, got $got"
  [[ $(as_user "$user" -c "SHOW gdpr.actor") == "$user" ]] || fail "$user: SHOW gdpr.actor"
  echo "$user: role gdpr_policy_$policy, gdpr.actor $user"
done

# The actor is fixed for the session: SET, set_config and RESET cannot change it.
out=$(as_user anna -v VERBOSITY=verbose -c "SET gdpr.actor = 'carla'" 2>&1) && fail "SET gdpr.actor was allowed: $out"
expect_contains "$out" "42501" "SET gdpr.actor refused"
out=$(as_user anna -v VERBOSITY=verbose -c "SELECT set_config('gdpr.actor', 'carla', false)" 2>&1) &&
  fail "set_config(gdpr.actor) was allowed: $out"
expect_contains "$out" "42501" "set_config(gdpr.actor) refused"
out=$(as_user anna -v VERBOSITY=verbose -c "RESET gdpr.actor" 2>&1) && fail "RESET gdpr.actor was allowed: $out"
expect_contains "$out" "42501" "RESET gdpr.actor refused"
[[ $(as_user anna -c "SHOW gdpr.actor") == anna ]] || fail "gdpr.actor is not anna after the attempts"

# A client cannot pass its own server options (they could set gdpr.actor first).
out=$(PGPASSWORD=anna PGOPTIONS="-c gdpr.actor=carla" psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna \
  -d "$GDPR_DB" -c "SHOW gdpr.actor" 2>&1) && fail "start-up options were accepted: $out"
expect_contains "$out" "start-up options are not allowed for proxy users" "options refused"

# Unqualified names read the policy's masked views; the base table stays closed.
masked=$(as_user anna -c "SELECT requester_email FROM tickets WHERE id = 42")
clear=$(direct -c "SELECT requester_email FROM tickets WHERE id = 42")
[[ -n $masked && $masked != "$clear" ]] || fail "anna read tickets.requester_email unmasked: $masked"
[[ $(as_user carla -c "SELECT requester_email FROM tickets WHERE id = 42") == "$clear" ]] ||
  fail "carla (supervisor) should read the e-mail in clear"
# An unmasked policy's statements pass unchanged: the base table itself is readable.
[[ $(as_user carla -c "SELECT requester_email FROM public.tickets WHERE id = 42") == "$clear" ]] ||
  fail "carla (supervisor) should read public.tickets as it is"
# Schema-qualified names are rewritten to the masked view too (the base table
# itself is closed to the policy role: tests/e2e/masking_direct_login.sh).
[[ $(as_user anna -c "SELECT requester_email FROM public.tickets WHERE id = 42") == "$masked" ]] ||
  fail "anna's public.tickets was not read through the masked view"

# The client's database and application_name reach the server.
app=$(PGPASSWORD=boris PGAPPNAME=crm-ui psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U boris -d "$GDPR_DB" \
  -c "SELECT current_database() || '|' || current_setting('application_name')")
[[ $app == "$GDPR_DB|crm-ui" ]] || fail "database/application_name not forwarded: $app"
echo "ok: four policies, fixed actor, options refused, masked views by default"
