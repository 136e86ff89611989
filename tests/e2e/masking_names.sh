#!/usr/bin/env bash
# Known names of data subjects in redacted free text, through the real proxy
# as anna (policy agent):
#   - no full name of a contact or an agent appears in any redacted column of
#     the demo (ticket bodies and subjects, call transcripts);
#   - a name committed by another session is redacted from anna's next
#     statement on, also inside her open transaction; a deleted one is not;
#   - calling the masking function directly tells her nothing about names.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_PROXY_PORT:?}" "${GDPR_DB:=gdpr_demo}" "${GDPR_TMP:?}"
admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" -At)
anna() { PGPASSWORD=anna psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna -d "$GDPR_DB" "$@"; }
failures=0
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }
check() {  # check WHAT ACTUAL EXPECTED
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else fail "$1: expected [$3], got [$2]"; fi
}

# 1. Every redacted text anna can read, compared with every known name.
texts="SELECT body FROM ticket_messages UNION ALL SELECT subject FROM tickets
       UNION ALL SELECT transcript FROM calls WHERE transcript IS NOT NULL"
seen="$GDPR_TMP/masking_names_seen.txt"
plain="$GDPR_TMP/masking_names_plain.txt"
anna -c "COPY ($texts) TO STDOUT" >"$seen"
"${admin[@]}" -c "COPY ($texts) TO STDOUT" >"$plain"
check "anna read redacted texts" "$(($(wc -l <"$seen") > 20000))" 1
check "anna's texts say [name]" "$(grep -c '\[name\]' "$seen" | awk '{print ($1 > 1000)}')" 1
# Names as written, in any case (the mask also catches them without
# diacritics; the comparison here is the strict one), as whole words: every
# pair of consecutive words against every two-word name (the demo's names
# all have two words; checked).
names_in() {  # names_in FILE -> how many known names FILE's texts hold
  "${admin[@]}" <<SQL
CREATE TEMP TABLE seen (t text);
\copy seen FROM '$1'
CREATE TEMP TABLE names AS SELECT lower(name) AS n FROM contacts UNION SELECT lower(name) FROM agents;
CREATE TEMP TABLE words AS SELECT regexp_split_to_array(lower(t), '[\s,.;:!?()"<>/\[\]]+') AS w FROM seen;
CREATE TEMP TABLE pairs AS SELECT w[i] || ' ' || w[i + 1] AS p FROM words, generate_series(1, array_length(w, 1) - 1) i;
SELECT CASE WHEN EXISTS (SELECT 1 FROM names WHERE n !~ '^[^ ]+ [^ ]+$') THEN 'a name without exactly two words'
            ELSE (SELECT count(*) FROM pairs JOIN names ON pairs.p = names.n)::text END;
SQL
}
check "the check finds the names in the unmasked texts" "$(names_in "$plain" | awk '{print ($1 > 1000)}')" 1
check "no full name of a contact or an agent in anna's redacted texts" "$(names_in "$seen")" 0

# 2. Currency across sessions. A ticket that names someone who is not (yet) a contact.
tid=$("${admin[@]}" -c "INSERT INTO tickets (requester_email, subject) VALUES ('x@example.com', 'Call back Zdenka Pokusová today') RETURNING id")
ask="SELECT subject FROM tickets WHERE id = $tid"
out=$(anna -c "$ask" \
  -c "\\! ${admin[*]} -c \"INSERT INTO contacts (name) VALUES ('Zdenka Pokusová')\"" \
  -c "$ask" \
  -c "BEGIN" -c "$ask" \
  -c "\\! ${admin[*]} -c \"DELETE FROM contacts WHERE name = 'Zdenka Pokusová'\"" \
  -c "$ask" -c "COMMIT" \
  -c "$ask")
check "a name becomes known from the next statement of another session, and is forgotten the same way" \
  "$(tr '\n' '|' <<<"$out")" \
  "Call back Zdenka Pokusová today|Call back [name] today|Call back [name] today|Call back Zdenka Pokusová today|Call back Zdenka Pokusová today|"
"${admin[@]}" -c "DELETE FROM tickets WHERE id = $tid"

# 3. Direct calls are no oracle (the agent's backend role has no USAGE on
# schema gdpr in the first place; regress/sql/masking_names.sql tests the
# functions with it).
name=$("${admin[@]}" -c "SELECT name FROM contacts ORDER BY id LIMIT 1")
out=$(PGPASSWORD=anna psql -X -At -v VERBOSITY=sqlstate -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna -d "$GDPR_DB" \
  -c "SELECT gdpr.mask_redact('Dear $name')" 2>&1 || true)
check "a direct call of the masking function is refused" "$(grep -c 42501 <<<"$out")" 1
[[ $out != *"[name]"* ]] || fail "direct call redacted a known name: $out"

((failures == 0)) || { echo "$failures failed"; exit 1; }
echo "all ok"
