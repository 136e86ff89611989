#!/usr/bin/env bash
# Issue 8, "Done when": with gdpr.retention_interval = '5s' the background
# worker, on its own, anonymises the demo calls older than 2 years and deletes
# the recordings older than 90 days within seconds; gdpr.retention_runs tells
# what happened; concurrent point reads are never blocked for a second.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:?}" "${GDPR_TMP:?}"
psql_db=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB")
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { "${psql_db[@]}" -c "$1"; }
reset_interval() {
  sql "ALTER SYSTEM RESET gdpr.retention_interval" >/dev/null 2>&1 || true
  sql "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
}
trap reset_interval EXIT

old_calls="SELECT count(*) FROM calls WHERE started_at < now() - interval '2 years' - interval '1 minute'"
old_recordings="SELECT count(*) FROM recordings WHERE created_at < now() - interval '90 days' - interval '1 minute'"
calls_with_data="$old_calls AND (caller <> '[erased]' OR callee <> '[erased]' OR transcript IS NOT NULL OR contact_id IS NOT NULL)"
[[ $(sql "$calls_with_data") -gt 0 ]] || fail "the demo data has no call older than 2 years left to anonymise"
[[ $(sql "$old_recordings") -gt 0 ]] || fail "the demo data has no recording older than 90 days left to delete"
calls_before=$(sql "SELECT count(*) FROM calls")
cost_before=$(sql "SELECT sum(cost) FROM calls")
# Younger calls may already be anonymised by an earlier erasure (other tests
# share the demo database): retention must not add to them.
younger_erased="SELECT count(*) FROM calls WHERE started_at > now() - interval '2 years' + interval '1 minute' AND caller = '[erased]'"
younger_erased_before=$(sql "$younger_erased")
last_run=$(sql "SELECT coalesce(max(id), 0) FROM gdpr.retention_runs")

# Point reads of calls and recordings by id, timed per transaction, while the worker runs.
max_call=$(sql "SELECT max(id) FROM calls")
max_rec=$(sql "SELECT max(id) FROM recordings")
cat >"$GDPR_TMP/retention_reads.sql" <<SQL
\set c random(1, $max_call)
\set r random(1, $max_rec)
SELECT id, caller, started_at, cost FROM calls WHERE id = :c;
SELECT id, format, created_at FROM recordings WHERE id = :r;
SQL
rm -f "$GDPR_TMP"/retention_reads_log*
(cd "$GDPR_TMP" && pgbench -n -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -c 4 -T 20 -l \
   --log-prefix=retention_reads_log -f retention_reads.sql "$GDPR_DB" >"$GDPR_TMP/retention_reads.out" 2>&1) &
reads=$!
sleep 1

sql "ALTER SYSTEM SET gdpr.retention_interval = '5s'" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
started=$(date +%s)
run=""
for _ in $(seq 1 60); do
  run=$(sql "SELECT id FROM gdpr.retention_runs WHERE id > $last_run AND trigger = 'worker' AND finished_at IS NOT NULL
               AND error IS NULL AND rows_anonymized > 0 AND rows_deleted > 0 ORDER BY id LIMIT 1")
  [[ -n $run ]] && break
  sleep 1
done
[[ -n $run ]] || fail "no background retention run within 60 s; runs: $(sql "SELECT jsonb_agg(r) FROM gdpr.retention_runs r WHERE id > $last_run")"
took=$(($(date +%s) - started))
wait "$reads" || fail "the concurrent point reads failed: $(tail -5 "$GDPR_TMP/retention_reads.out")"

[[ $(sql "$calls_with_data") -eq 0 ]] || fail "calls older than 2 years still hold personal data"
[[ $(sql "$old_recordings") -eq 0 ]] || fail "recordings older than 90 days are still there"
[[ $(sql "SELECT count(*) FROM calls") -eq $calls_before ]] || fail "anonymisation must keep the call rows"
[[ $(sql "SELECT sum(cost) FROM calls") == "$cost_before" ]] || fail "billing must keep the calls' cost"
[[ $(sql "$younger_erased") -eq $younger_erased_before ]] ||
  fail "younger calls were anonymised"
# The run tells what happened, per table.
summary=$(sql "SELECT format('%s anonymised, %s deleted, calls %s, recordings %s, in %s', rows_anonymized, rows_deleted,
                             tables #>> '{public.calls,rows_anonymized}', tables #>> '{public.recordings,rows_deleted}', duration)
                 FROM gdpr.retention_runs WHERE id = $run")
[[ $(sql "SELECT (tables #>> '{public.calls,rows_anonymized}')::bigint > 0 AND (tables #>> '{public.recordings,rows_deleted}')::bigint > 0
            FROM gdpr.retention_runs WHERE id = $run") == t ]] || fail "gdpr.retention_runs lacks the per-table counts: $summary"

# No point read waited a second (pgbench log: 3rd field = latency in microseconds).
reads_done=$(cat "$GDPR_TMP"/retention_reads_log* | wc -l)
max_us=$(cat "$GDPR_TMP"/retention_reads_log* | awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }')
[[ $reads_done -gt 100 ]] || fail "too few concurrent reads ran ($reads_done)"
((max_us < 1000000)) || fail "a point read took ${max_us} us while retention ran"
echo "retention worker: run $run after ~${took}s: $summary; $reads_done concurrent point reads, slowest ${max_us} us"
