#!/usr/bin/env bash
# Issue 5, "Done when": `pg_ctl stop -m fast` during a pgbench run loses no
# audit event of a committed or rolled-back statement. Runs its own cluster
# (stopping the harness's would break the other tests).
#
# Two pgbench scripts on a tagged table: one reads a ticket's subject and
# commits a mark row; one reads a requester_email and rolls back. After the
# fast stop and a restart, every committed mark must have its read event, and
# there must be at least as many rolled-back read events as pgbench saw
# complete. The chain must verify.
set -euo pipefail
: "${GDPR_ROOT:?}" "${GDPR_TMP:?}"
source "$GDPR_ROOT/scripts/lib.sh"
PG_BIN=${GDPR_AUDIT_PG_BIN:-$PG_BIN}  # testing against another installation
fail() { echo "FAIL: $*" >&2; exit 1; }

dir="$GDPR_TMP/audit_fast_shutdown"
port=""
for _ in $(seq 50); do  # a port nobody listens on
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n $port ]] || fail "no free TCP port"

rm -rf "$dir"
cleanup() { cluster_stop "$dir"; }
trap cleanup EXIT
cluster_init "$dir" "$port"
cluster_start "$dir"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

sql <<'SQL'
CREATE EXTENSION gdpr;
CREATE TABLE tickets (id bigint PRIMARY KEY, requester_email text, subject text);
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject IS 'free_text';
INSERT INTO tickets SELECT g, 'r' || g || '@example.com', 'subject ' || g FROM generate_series(1, 1000) g;
CREATE TABLE marks (n bigserial PRIMARY KEY, ticket bigint NOT NULL);
SQL

cat >"$dir/commit.sql" <<'SQL'
\set id random(1, 1000)
BEGIN;
SELECT subject FROM tickets WHERE id = :id;
INSERT INTO marks (ticket) VALUES (:id);
COMMIT;
SQL
cat >"$dir/rollback.sql" <<'SQL'
\set id random(1, 1000)
BEGIN;
SELECT requester_email FROM tickets WHERE id = :id;
ROLLBACK;
SQL

# pgbench logs every finished transaction (field 4 = script number).
(cd "$dir" && "$PG_BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -T 60 -l \
  -f commit.sql -f rollback.sql postgres >"$dir/pgbench.out" 2>&1) &
bench=$!
sleep 3
as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -m fast -w -t 60 stop >/dev/null
wait "$bench" || true  # pgbench ends with an error: its server went away
cluster_start "$dir"

committed_logged=$(cat "$dir"/pgbench_log.* | awk '$4 == 0 && $3 ~ /^[0-9]+$/' | wc -l)
rolled_back_logged=$(cat "$dir"/pgbench_log.* | awk '$4 == 1 && $3 ~ /^[0-9]+$/' | wc -l)
marks=$(sql -c "SELECT count(*) FROM marks")
sql -c "SELECT gdpr.audit_flush()" >/dev/null
read_events=$(sql -c "SELECT count(*) FROM gdpr.audit_log WHERE relation = 'tickets'::regclass AND columns = '{subject}'")
rollback_events=$(sql -c "SELECT count(*) FROM gdpr.audit_log
                           WHERE relation = 'tickets'::regclass AND columns = '{requester_email}'")
# Every committed mark's transaction read one ticket first.
unmatched=$(sql -c "SELECT count(*) FROM marks m WHERE NOT EXISTS (
                      SELECT 1 FROM gdpr.audit_log l
                       WHERE l.relation = 'tickets'::regclass AND l.columns = '{subject}' AND l.key_ranges @> m.ticket)")
echo "pgbench: $committed_logged committed, $rolled_back_logged rolled back; marks: $marks;" \
  "events: $read_events commit-reads, $rollback_events rollback-reads"

((committed_logged > 100)) || fail "pgbench ran too little to mean anything ($committed_logged transactions)"
((marks >= committed_logged)) || fail "fewer marks ($marks) than committed transactions ($committed_logged)"
((read_events >= marks)) || fail "committed reads lost: $marks committed transactions, $read_events read events"
((unmatched == 0)) || fail "$unmatched committed marks have no read event of their ticket"
((rollback_events >= rolled_back_logged)) ||
  fail "rolled-back reads lost: $rolled_back_logged finished, $rollback_events events"
[[ $(sql -c "SELECT intact FROM gdpr_audit_verify()") == t ]] || fail "the chain does not verify after the restart"
echo "ok: no audit event lost across pg_ctl stop -m fast"
