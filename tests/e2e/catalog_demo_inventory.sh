#!/usr/bin/env bash
# The demo database is tagged exactly as DESIGN.md lists: gdpr.inventory holds
# those columns and no others, with the table options (erase, retention);
# gdpr_scan() finds nothing left untagged; and a label with a typo is refused
# with a hint that names the right word.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:=gdpr_demo}"
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB")

# DESIGN.md, "Contract: the demo schema": table.column|category|subject|erase|retention|retention_column
expected=$(sort <<'LIST'
agents.email|email|t|delete||
agents.name|name|f|delete||
calls.callee|phone|t|anonymize|2 years|started_at
calls.caller|phone|t|anonymize|2 years|started_at
calls.transcript|free_text|f|anonymize|2 years|started_at
contacts.address|address|f|delete||
contacts.email|email|t|delete||
contacts.name|name|f|delete||
contacts.phone|phone|t|delete||
recordings.audio|recording|f|delete|90 days|created_at
ticket_messages.author_email|email|t|delete||
ticket_messages.body|free_text|f|delete||
tickets.requester_email|email|t|delete||
tickets.subject|free_text|f|delete||
LIST
)
actual=$("${psql_db[@]}" -At -c "SET intervalstyle = postgres;
  SELECT table_name || '.' || column_name, category, subject, erase, retention, retention_column
    FROM gdpr.inventory WHERE schema_name = 'public'" | sort)
if [[ "$actual" != "$expected" ]]; then
  echo "gdpr.inventory of $GDPR_DB differs from the DESIGN.md tag list:" >&2
  diff <(echo "$expected") <(echo "$actual") >&2 || true
  exit 1
fi

# Every demo table carries its table options, even agents and tickets.
tables=$("${psql_db[@]}" -At -c "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_seclabel s
  JOIN pg_class c ON c.oid = s.objoid WHERE s.provider = 'gdpr' AND s.objsubid = 0 AND c.relnamespace = 'public'::regnamespace")
if [[ $tables != "agents,calls,contacts,recordings,ticket_messages,tickets" ]]; then
  echo "table labels on: $tables" >&2
  exit 1
fi

# Nothing that looks like personal data is left untagged.
untagged=$("${psql_db[@]}" -At -c "SELECT \"table\" || '.' || column_name || ' ' || suggested_label FROM gdpr_scan()
  WHERE \"table\"::text IN ('contacts', 'agents', 'calls', 'recordings', 'tickets', 'ticket_messages')")
if [[ -n $untagged ]]; then
  echo "gdpr_scan() suggests tags the demo lacks:" >&2
  echo "$untagged" >&2
  exit 1
fi

# A typo is refused (22023) with a hint naming the right category.
set +e
out=$("${psql_db[@]}" -c "\set VERBOSITY verbose" -c "SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'emial; subject'" 2>&1)
rc=$?
set -e
if [[ $rc -eq 0 ]] || ! grep -q '22023' <<<"$out" || ! grep -q 'Did you mean "email"?' <<<"$out"; then
  echo "a typo in a label was not refused with SQLSTATE 22023 and a hint:" >&2
  echo "$out" >&2
  exit 1
fi
label=$("${psql_db[@]}" -At -c "SELECT label FROM gdpr.inventory WHERE table_name = 'contacts' AND column_name = 'email'")
[[ $label == "email; subject" ]] || { echo "contacts.email label changed to: $label" >&2; exit 1; }
echo "catalog_demo_inventory: the 14 DESIGN.md tags, 6 table labels, nothing untagged, typos refused"
