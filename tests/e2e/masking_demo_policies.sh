#!/usr/bin/env bash
# The demo policies of DESIGN.md, enforced by the database itself: connected
# directly (no proxy) as each policy's backend role,
#   agent   reads no tagged column of any base table, and through its views
#           sees partial phones and e-mails, redacted free text, no recordings;
#   billing sees phones and names but no free text and no recordings;
#   supervisor's and dpo's views equal the base tables; dpo is in gdpr_dpo.
# And the demo users anna, boris, carla, dora exist under those policies.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:=gdpr_demo}" "${GDPR_ROOT:?}"
admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" -At)
as() { psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U "gdpr_policy_$1" -d "$GDPR_DB" -At -c "$2"; }
failures=0
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }
check() {  # check WHAT ACTUAL EXPECTED
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else fail "$1: expected [$3], got [$2]"; fi
}

if [[ $("${admin[@]}" -c "SELECT count(*) FROM gdpr.policies WHERE name = 'agent'") == 0 ]]; then
  echo "(demo policies not loaded by the harness; loading sql/demo/policies.sql)"
  "${admin[@]}" -f "$GDPR_ROOT/sql/demo/policies.sql" >/dev/null
fi

check "demo users and their policies" \
  "$("${admin[@]}" -c "SELECT string_agg(name || ':' || policy || ':' || disabled, ' ' ORDER BY name) FROM gdpr.users WHERE name IN ('anna', 'boris', 'carla', 'dora')")" \
  "anna:agent:false boris:billing:false carla:supervisor:false dora:dpo:false"
check "masked flags" "$("${admin[@]}" -c "SELECT string_agg(name || ':' || masked, ' ' ORDER BY name) FROM gdpr.policies WHERE name IN ('agent', 'billing', 'supervisor', 'dpo')")" \
  "agent:true billing:true dpo:false supervisor:false"

# Every tagged column of every base table, by name, as the masked roles.
columns=$("${admin[@]}" -c "SELECT format('%I.%I|%I', schema_name, table_name, column_name) FROM gdpr.inventory WHERE schema_name = 'public'")
[[ -n $columns ]] || fail "no tagged columns in $GDPR_DB"
for policy in agent billing; do
  leaked=0 refused=0
  while IFS='|' read -r table column; do
    if out=$(as "$policy" "SELECT $column FROM $table LIMIT 1" 2>&1); then
      leaked=$((leaked + 1)); fail "$policy read $table.$column directly"
    elif grep -q 42501 <<<"$out"; then
      refused=$((refused + 1))
    else
      fail "$policy reading $table.$column: unexpected error $out"
    fi
  done <<<"$columns"
  check "$policy: every tagged base column refused ($refused of $(wc -l <<<"$columns"))" "$leaked" 0
done

# agent, through its views.
# Callers already anonymised by an erasure ('[erased]', masked to '[******]')
# hold no number; every other caller must show the partial shape.
check "agent: phones are partial" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.calls WHERE caller <> '[******]' AND (caller !~ '^\+[0-9]{1,3} [0-9][0-9* ]*[0-9]{3}$' OR caller !~ '\*')")" 0
check "agent: e-mails are partial" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.contacts WHERE email IS NOT NULL AND email !~ '^.\*\*\*@'")" 0
check "agent: no e-mail address in free text" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.ticket_messages WHERE body ~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}'")" 0
# Whatever notation or range: no run of phone-like digits survives in the
# agent's free text (the demo includes fictional +44 7700 900xxx numbers that
# libphonenumber rates invalid; the redact mask must hide them anyway).
check "agent: no phone-like digit run in bodies" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.ticket_messages WHERE body ~ '[0-9]{3}[ /-]?[0-9]{3}[ /-]?[0-9]{3}'")" 0
check "agent: no phone-like digit run in transcripts" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.calls WHERE transcript ~ '[0-9]{3}[ /-]?[0-9]{3}[ /-]?[0-9]{3}'")" 0
check "agent: transcripts redacted" "$(as agent "SELECT count(*) > 0 FROM gdpr_mask_agent.calls WHERE transcript LIKE '%[phone]%' OR transcript LIKE '%[email]%'")" t
# null on a NOT NULL column masks to the empty value (so a masked pg_dump restores).
check "agent: no recordings" "$(as agent "SELECT count(*) FROM gdpr_mask_agent.recordings WHERE length(audio) > 0")" 0
check "agent: untagged columns as they are" "$(as agent "SELECT count(*) > 0 FROM calls WHERE duration_s >= 0")" t

# billing: phones and names kept, content gone.
check "billing: phones as stored" "$("${admin[@]}" -c "SELECT count(*) FROM gdpr_mask_billing.calls v JOIN calls c USING (id)
  WHERE v.caller IS DISTINCT FROM c.caller OR v.callee IS DISTINCT FROM c.callee")" 0
check "billing: names kept" "$(as billing "SELECT count(*) FROM gdpr_mask_billing.contacts WHERE name LIKE '%***%'")" 0
check "billing: no transcripts, subjects, bodies, recordings" "$(as billing "SELECT (SELECT count(nullif(transcript, '')) FROM gdpr_mask_billing.calls) + (SELECT count(nullif(subject, '')) FROM gdpr_mask_billing.tickets) + (SELECT count(nullif(body, '')) FROM gdpr_mask_billing.ticket_messages) + (SELECT count(nullif(audio, '')) FROM gdpr_mask_billing.recordings)")" 0

# supervisor and dpo: identity views.
for policy in supervisor dpo; do
  diff=$("${admin[@]}" -c "SELECT (SELECT count(*) FROM (TABLE contacts EXCEPT TABLE gdpr_mask_$policy.contacts) a)
    + (SELECT count(*) FROM (SELECT id, caller, callee, transcript FROM calls EXCEPT SELECT id, caller, callee, transcript FROM gdpr_mask_$policy.calls) b)
    + (SELECT count(*) FROM (SELECT id, audio FROM recordings EXCEPT SELECT id, audio FROM gdpr_mask_$policy.recordings) c)")
  check "$policy: views equal the base tables" "$diff" 0
done
check "dpo may run subject requests" "$("${admin[@]}" -c "SELECT pg_has_role('gdpr_policy_dpo', 'gdpr_dpo', 'MEMBER')")" t

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
