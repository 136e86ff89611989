#!/usr/bin/env bash
# Same scale => same demo data. Loads the generator twice, into two scratch
# databases with different locales, under deliberately different session
# settings (time zone, memory for sorts and hashes, parallelism, hence
# different plans), and compares a
# fingerprint of every table: all columns, with each timestamp taken as its
# distance in seconds from the oldest contact (timestamps themselves follow the
# day of loading, their distances do not).
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
scale=${GDPR_DEMO_DET_SCALE:-1}
dbs=("gdpr_demo_det_$$" "gdpr_demo_det_$$_b")
create_options=("" "TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
settings=("-c TimeZone=UTC" "-c TimeZone=America/New_York -c work_mem=64kB -c max_parallel_workers_per_gather=0 -c enable_hashjoin=off")
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres)

cleanup() {
  for db in "${dbs[@]}"; do "${psql_admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

fingerprint_sql=$(cat <<'SQL'
WITH ref AS (SELECT min(created_at) AS t0 FROM contacts)
SELECT 'contacts', count(*), md5(string_agg(concat_ws('|', id, name, email, phone, company, address,
                                                      extract(epoch FROM created_at - t0)), E'\n' ORDER BY id))
  FROM contacts, ref
UNION ALL
SELECT 'agents', count(*), md5(string_agg(concat_ws('|', id, name, email), E'\n' ORDER BY id)) FROM agents
UNION ALL
SELECT 'calls', count(*), md5(string_agg(concat_ws('|', id, contact_id, agent_id, caller, callee,
                                                   extract(epoch FROM started_at - t0), duration_s, cost, transcript),
                                         E'\n' ORDER BY id))
  FROM calls, ref
UNION ALL
SELECT 'recordings', count(*), md5(string_agg(concat_ws('|', id, call_id, md5(audio), format,
                                                        extract(epoch FROM created_at - t0)), E'\n' ORDER BY id))
  FROM recordings, ref
UNION ALL
SELECT 'tickets', count(*), md5(string_agg(concat_ws('|', id, contact_id, requester_email, subject, status,
                                                     extract(epoch FROM created_at - t0)), E'\n' ORDER BY id))
  FROM tickets, ref
UNION ALL
SELECT 'ticket_messages', count(*), md5(string_agg(concat_ws('|', id, ticket_id, author_email, body,
                                                             extract(epoch FROM created_at - t0)), E'\n' ORDER BY id))
  FROM ticket_messages, ref
SQL
)

prints=()
for i in 0 1; do
  db=${dbs[$i]}
  "${psql_admin[@]}" -d postgres -c "CREATE DATABASE $db ${create_options[$i]}"
  PGOPTIONS="${settings[$i]}" "${psql_admin[@]}" -d "$db" -f "$GDPR_ROOT/sql/demo/schema.sql" >/dev/null
  PGOPTIONS="${settings[$i]}" "${psql_admin[@]}" -d "$db" -v scale="$scale" -f "$GDPR_ROOT/sql/demo/generate.sql" >/dev/null
  prints[i]=$("${psql_admin[@]}" -d "$db" -At -F ' ' -c "$fingerprint_sql")
  echo "== load $((i + 1)) (${settings[$i]}):"
  echo "${prints[$i]}"
done

# A fingerprint of nothing would also match: the tables must hold rows.
if grep -qE ' 0 ' <<<"${prints[0]}"; then
  echo "FAIL: a demo table is empty" >&2
  exit 1
fi
if [[ ${prints[0]} != "${prints[1]}" ]]; then
  echo "FAIL: two loads at scale $scale differ:" >&2
  diff <(echo "${prints[0]}") <(echo "${prints[1]}") >&2 || true
  exit 1
fi
echo "ok: two loads at scale $scale are identical"
