#!/usr/bin/env bash
# Issue 4, "Done when", on the demo database: a person with a contact row,
# calls from two phone notations, a recording, tickets, messages mentioning
# her e-mail in mixed case and her phone in another notation, and a message
# from someone else quoting her e-mail. find lists all of it, export holds all
# of it, erase leaves no trace that find, a grep of a fresh pg_dump or the
# erasure log can show; the other person's message keeps everything but her
# address; her calls keep duration and cost.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:?}" "${GDPR_TMP:?}"
psql_db=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB")
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { "${psql_db[@]}" -c "$1"; }

# The demo tags must be there, or nothing below means anything.
[[ $(sql "SELECT count(*) FROM pg_seclabel WHERE provider = 'gdpr' AND objoid = 'ticket_messages'::regclass") -ge 2 ]] ||
  fail "the demo tables are not tagged (sql/demo/tags.sql)"

# Ids far above the generated ones; someone else's ticket to quote her in.
base=$(sql "SELECT greatest((SELECT max(id) FROM contacts), (SELECT max(id) FROM calls), (SELECT max(id) FROM tickets),
                            (SELECT max(id) FROM ticket_messages), (SELECT max(id) FROM recordings)) + 1000")
other_ticket=$(sql "SELECT min(id) FROM tickets WHERE contact_id IS NOT NULL")
other_email=$(sql "SELECT requester_email FROM tickets WHERE id = $other_ticket")
agent=$(sql "SELECT min(id) FROM agents")
c=$base
call_a=$((base + 1)) call_b=$((base + 2)) rec=$((base + 3)) t1=$((base + 4)) t2=$((base + 5))
m1=$((base + 6)) m2=$((base + 7)) m3=$((base + 8)) m_other=$((base + 9))

sql "
INSERT INTO contacts (id, name, email, phone, address) VALUES
  ($c, 'Erika Testová', 'Erika.Testova@Example.com', '+421949555123', 'Testovacia 1, 811 01 Bratislava');
INSERT INTO calls (id, contact_id, agent_id, caller, callee, started_at, duration_s, cost, transcript) VALUES
  ($call_a, $c, $agent, '0949 555 123', '+421 2 5010 1000', now() - interval '3 days', 187, 2.45,
   'Customer: This is Erika Testová, my e-mail is erika.testova@example.com.'),
  ($call_b, NULL, $agent, '00421 949 555 123', '+421 2 5010 1000', now() - interval '2 days', 65, 0.85, NULL);
INSERT INTO recordings (id, call_id, audio, format) VALUES ($rec, $call_a, '\\x52494646', 'wav');
INSERT INTO tickets (id, contact_id, requester_email, subject, status) VALUES
  ($t1, $c, 'erika.testova@example.com', 'Internet down', 'open'),
  ($t2, $c, 'ERIKA.TESTOVA@EXAMPLE.COM', 'Invoice question', 'solved');
INSERT INTO ticket_messages (id, ticket_id, author_email, body) VALUES
  ($m1, $t1, 'Erika.Testova@example.com', 'Hello, my internet is down. Call me at (0949) 555 123 or write to ERIKA.testova@Example.COM. Erika Testová'),
  ($m2, $t1, 'support@demotel.sk', 'Dear customer, we will call you at +421 949 555 123 tomorrow.'),
  ($m3, $t2, 'erika.testova@example.com', 'Why was I charged twice?'),
  ($m_other, $other_ticket, '$other_email', 'My colleague Erika.Testova@Example.com has the same problem, please help us both.');
"

# --- find lists every row of hers (support's reply on her ticket is linked
# through the ticket), and the other person's message as a mention.
expected="calls|{\"id\": $call_a}|subject column
calls|{\"id\": $call_b}|subject column
contacts|{\"id\": $c}|subject column
recordings|{\"id\": $rec}|linked
ticket_messages|{\"id\": $m1}|subject column
ticket_messages|{\"id\": $m2}|linked
ticket_messages|{\"id\": $m3}|subject column
ticket_messages|{\"id\": $m_other}|free text
tickets|{\"id\": $t1}|subject column
tickets|{\"id\": $t2}|subject column"
found=$(sql "SELECT relation, row_key, matched_by FROM gdpr_find('erika.testova@example.com') ORDER BY relation::text, (row_key->>'id')::bigint")
[[ $found == "$expected" ]] || fail "gdpr_find: expected
$expected
got
$found"
for notation in '+421 949 555 123' '00421949555123' '0949/555-123' '(0949) 555 123' ' ERIKA.TESTOVA@example.com '; do
  n=$(sql "SELECT count(*) FROM gdpr_find('$notation')")
  [[ $n -eq 10 ]] || fail "gdpr_find('$notation') found $n rows, expected 10"
done

# --- export contains all of them, every column.
export_rows=$(sql "SELECT sum(jsonb_array_length(t.value -> 'rows')) FROM jsonb_each(gdpr_export('erika.testova@example.com') -> 'tables') t")
[[ $export_rows -eq 10 ]] || fail "gdpr_export has $export_rows rows, expected 10"
[[ $(sql "SELECT gdpr_export('erika.testova@example.com') #>> '{tables,public.recordings,rows,0,data,audio}'") == "UklGRg==" ]] ||
  fail "gdpr_export: recording audio not base64"
[[ $(sql "SELECT gdpr_export('erika.testova@example.com') #>> '{tables,public.calls,columns,caller,category}'") == "phone" ]] ||
  fail "gdpr_export: column categories missing"

# --- erase.
report=$(sql "SELECT gdpr_erase('Erika.Testova@example.com')")
echo "erase report: $report"
[[ $(sql "SELECT count(*) FROM gdpr_find('erika.testova@example.com')") -eq 0 ]] || fail "find by e-mail after erase"
[[ $(sql "SELECT count(*) FROM gdpr_find('+421949555123')") -eq 0 ]] || fail "find by phone after erase"

# The other person's message survives, only her address redacted.
body=$(sql "SELECT body FROM ticket_messages WHERE id = $m_other")
[[ $body == 'My colleague [erased] has the same problem, please help us both.' ]] || fail "other's message: $body"
# Her calls survive for billing: duration and cost kept, no identifiers left.
calls=$(sql "SELECT string_agg(format('%s %s %s %s %s %s', duration_s, cost, caller, callee, coalesce(transcript, '-'), coalesce(contact_id::text, '-')), ';' ORDER BY id) FROM calls WHERE id IN ($call_a, $call_b)")
[[ $calls == '187 2.45 [erased] [erased] - -;65 0.85 [erased] [erased] - -' ]] || fail "her calls: $calls"
[[ $(sql "SELECT count(*) FROM contacts WHERE id = $c") -eq 0 ]] || fail "contact row kept"
[[ $(sql "SELECT count(*) FROM tickets WHERE id IN ($t1, $t2)") -eq 0 ]] || fail "tickets kept"
[[ $(sql "SELECT count(*) FROM ticket_messages WHERE id IN ($m1, $m2, $m3)") -eq 0 ]] || fail "messages kept"
[[ $(sql "SELECT count(*) FROM recordings WHERE id = $rec") -eq 0 ]] || fail "recording kept"

# A fresh pg_dump holds her in no notation (the erasure log is in the dump too).
dump="$GDPR_TMP/subject_done_when.sql"
pg_dump -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" -f "$dump"
grep -q 'gdpr.erasures\|COPY gdpr.erasures' "$dump" || fail "the dump does not contain the erasure log"
if grep -Eqi 'erika\.testova|Erika Testov|949[^0-9]{0,3}555[^0-9]{0,3}123' "$dump"; then
  grep -Eni 'erika\.testova|Erika Testov|949[^0-9]{0,3}555[^0-9]{0,3}123' "$dump" | head -5 >&2
  fail "pg_dump still contains her"
fi
rm -f "$dump"

# The erasure log: a request with counts and hashes, nothing in clear.
log=$(sql "SELECT e::text FROM gdpr.erasures e WHERE request_id = '$(sql "SELECT '$report'::jsonb ->> 'request_id'")'")
[[ -n $log ]] || fail "no erasure log entry"
if grep -Eqi 'erika|949.?555' <<<"$log"; then fail "erasure log holds personal data: $log"; fi

# Erasing again is harmless.
again=$(sql "SELECT gdpr_erase('erika.testova@example.com') -> 'tables'")
[[ $again == '{}' ]] || fail "second erase changed something: $again"
echo "subject_done_when: ok"
