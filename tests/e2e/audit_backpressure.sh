#!/usr/bin/env bash
# Issue 5: a full audit queue applies back-pressure, never dropping an event.
# On a server where no audit writer can run (max_worker_processes = 0) and
# the queue is small, a statement loop fills the queue and is then held back
# (wait event "Extension") instead of going on without its events; a cancel
# or pg_terminate_backend still reaches it, and the statement's own event is
# queued from the reserve the wait keeps free. Runs its own cluster.
set -euo pipefail
: "${GDPR_ROOT:?}" "${GDPR_TMP:?}"
source "$GDPR_ROOT/scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

dir="$GDPR_TMP/audit_backpressure"
port=""
for _ in $(seq 50); do  # a port nobody listens on
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n $port ]] || fail "no free TCP port"

cluster_stop "$dir" 2>/dev/null || true
rm -rf "$dir"
mkdir -p "$dir" && chmod 777 "$dir"
cluster_init "$dir" "$port"
as_pg sh -c "cat >> '$dir/pgdata/postgresql.conf'" <<'CONF'
max_worker_processes = 0      # no audit writer can start
gdpr.audit_queue_kb = 64
CONF
cluster_start "$dir"
filler_pid=""
cleanup() {
  [[ -n $filler_pid ]] && kill "$filler_pid" 2>/dev/null || true
  cluster_stop "$dir"
}
trap cleanup EXIT
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
log="$dir/server.log"

sql <<'SQL'
CREATE EXTENSION gdpr;
CREATE TABLE people (id bigint PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subject';
INSERT INTO people SELECT g, 'p' || g || '@example.com' FROM generate_series(1, 100) g;
SQL

# Every PERFORM reads a tagged column: one event each, far more than 64 kB.
psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "SET application_name = 'filler'" \
  -c 'DO $$ BEGIN FOR i IN 1..200000 LOOP PERFORM email FROM people WHERE id = i % 100 + 1; END LOOP; END $$' \
  >"$dir/filler.out" 2>&1 &
filler_pid=$!

waiting() { sql -c "SELECT wait_event_type || ':' || wait_event FROM pg_stat_activity WHERE application_name = 'filler'"; }
state=""
for _ in $(seq 100); do
  state=$(waiting)
  [[ $state == Extension:Extension ]] && break
  kill -0 "$filler_pid" 2>/dev/null || fail "the loop finished without waiting: $(cat "$dir/filler.out")"
  sleep 0.2
done
[[ $state == Extension:Extension ]] || fail "the filler never waited for the audit queue (last state '$state')"
# Held back, not dropping: still waiting a few seconds later, nothing lost.
sleep 3
[[ $(waiting) == Extension:Extension ]] || fail "the filler stopped waiting without a writer"
kill -0 "$filler_pid" 2>/dev/null || fail "the loop finished although its events could not be queued"
! grep -q "audit event was lost" "$log" || fail "an event was dropped: $(grep 'was lost' "$log")"
echo "ok: a full queue holds the statement back; nothing dropped"

pid=$(sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'filler'")
[[ $(sql -c "SELECT pg_cancel_backend($pid)") == t ]] || fail "could not cancel the filler"
# The statements wait while less than the reserve (half of this queue) is
# free, so the cancelled statement's own event still fits: the cancel ends
# the statement with 57014 and its event is queued, not lost.
for _ in $(seq 50); do
  kill -0 "$filler_pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$filler_pid" 2>/dev/null && fail "the cancel did not end the waiting statement"
wait "$filler_pid" 2>/dev/null || true
filler_pid=""
grep -q "canceling statement due to user request" "$dir/filler.out" ||
  fail "the client did not get the cancel: $(cat "$dir/filler.out")"
! grep -q "audit event was lost" "$log" || fail "the cancel dropped an event: $(grep 'was lost' "$log")"
echo "ok: a cancel ends a statement held by back-pressure (57014), and its event is queued (no loss logged)"

# The same for a terminated backend: it leaves, its event is queued.
psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "SET application_name = 'filler'" \
  -c "SELECT email FROM people WHERE id = 1" >"$dir/filler2.out" 2>&1 &
filler_pid=$!
for _ in $(seq 100); do
  [[ $(waiting) == Extension:Extension ]] && break
  sleep 0.2
done
[[ $(waiting) == Extension:Extension ]] || fail "a new statement was not held back by the full queue"
pid=$(sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'filler'")
[[ $(sql -c "SELECT pg_terminate_backend($pid)") == t ]] || fail "could not terminate the filler"
for _ in $(seq 50); do
  kill -0 "$filler_pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$filler_pid" 2>/dev/null && fail "the terminated backend did not leave"
wait "$filler_pid" 2>/dev/null || true
filler_pid=""
! grep -q "audit event was lost" "$log" || fail "termination dropped an event: $(grep 'was lost' "$log")"
echo "ok: pg_terminate_backend ends a statement held by back-pressure; its event is queued (no loss logged)"
