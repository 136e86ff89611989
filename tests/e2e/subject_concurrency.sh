#!/usr/bin/env bash
# Concurrent inserts of a person's data during her erasure are either erased
# or wait until the erasure commits, never left half-done (issue 4).
#   1. Insert first: a transaction holding a new row of hers is open when the
#      erase starts; the erase waits for it and erases that row too.
#   2. Erase first: an erase is open (not committed) when a row of hers is
#      inserted; the insert waits until the erase commits.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:?}" "${GDPR_TMP:?}"
psql_db=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB")
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { "${psql_db[@]}" -c "$1"; }
now_ms() { date +%s%3N; }

[[ $(sql "SELECT count(*) FROM pg_seclabel WHERE provider = 'gdpr' AND objoid = 'contacts'::regclass") -ge 2 ]] ||
  fail "the demo tables are not tagged (sql/demo/tags.sql)"
base=$(sql "SELECT max(id) + 5000 FROM contacts")
email="race.$$@example.com"
sql "INSERT INTO contacts (id, name, email) VALUES ($base, 'Race Person', '$email')"

# 1. Insert first, erase while the insert is uncommitted.
"${psql_db[@]}" -c "BEGIN; INSERT INTO contacts (id, name, email, phone) VALUES ($((base + 1)), 'Race Person', '${email^^}', '+421 948 111 $((RANDOM % 900 + 100))'); SELECT pg_sleep(2); COMMIT;" \
  >"$GDPR_TMP/subject_race_insert.log" 2>&1 &
insert_pid=$!
sleep 0.5
start=$(now_ms)
sql "SELECT gdpr_erase('$email')" >/dev/null
waited=$(($(now_ms) - start))
wait "$insert_pid" || fail "concurrent insert failed: $(cat "$GDPR_TMP/subject_race_insert.log")"
((waited >= 1000)) || fail "erase did not wait for the open insert (${waited} ms)"
left=$(sql "SELECT count(*) FROM contacts WHERE id IN ($base, $((base + 1)))")
[[ $left -eq 0 ]] || fail "case 1: $left of her rows survived the erasure"
[[ $(sql "SELECT count(*) FROM gdpr_find('$email')") -eq 0 ]] || fail "case 1: find still finds her"

# 2. Erase first, insert while the erase is uncommitted.
sql "INSERT INTO contacts (id, name, email) VALUES ($((base + 2)), 'Race Person', '$email')"
"${psql_db[@]}" -c "BEGIN; SELECT gdpr_erase('$email'); SELECT pg_sleep(2); COMMIT;" \
  >"$GDPR_TMP/subject_race_erase.log" 2>&1 &
erase_pid=$!
sleep 0.5
start=$(now_ms)
sql "INSERT INTO contacts (id, name, email) VALUES ($((base + 3)), 'Race Person', '$email')"
waited=$(($(now_ms) - start))
wait "$erase_pid" || fail "erase failed: $(cat "$GDPR_TMP/subject_race_erase.log")"
((waited >= 1000)) || fail "insert did not wait for the open erasure (${waited} ms)"
# The erased row is gone; the row inserted after the erasure committed is new data.
[[ $(sql "SELECT string_agg(id::text, ',') FROM contacts WHERE id IN ($((base + 2)), $((base + 3)))") == "$((base + 3))" ]] ||
  fail "case 2: unexpected rows"
sql "SELECT gdpr_erase('$email')" >/dev/null
echo "subject_concurrency: ok"
