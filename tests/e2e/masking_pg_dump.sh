#!/usr/bin/env bash
# A masked pg_dump: anna (policy agent) dumps the demo database through the
# proxy; the dump restores into an empty database with the same row counts,
# and contains none of the source's phone numbers or e-mail addresses in
# clear - an anonymised copy for developers, for free.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_PROXY_PORT:?}" "${GDPR_DB:=gdpr_demo}" "${GDPR_TMP:?}"
mkdir -p "$GDPR_TMP"
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
dump="$GDPR_TMP/anna_dump.sql"
copy=gdpr_anonymised_copy
trap 'admin -d postgres -c "DROP DATABASE IF EXISTS $copy" >/dev/null 2>&1 || true' EXIT

# -n public: the application's schema (the extension's own objects are not
# anna's to dump); no owners or grants, which name roles of the source cluster.
PGPASSWORD=anna pg_dump -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna -d "$GDPR_DB" -n public \
  --no-owner --no-privileges -f "$dump" || fail "pg_dump as anna through the proxy failed"
echo "dump: $(wc -c <"$dump") bytes"

admin -d postgres -c "DROP DATABASE IF EXISTS $copy" -c "CREATE DATABASE $copy" >/dev/null
# The dump of -n public creates the schema itself.
admin -d "$copy" -c "DROP SCHEMA public" >/dev/null
admin -d "$copy" -f "$dump" >"$GDPR_TMP/restore.log" 2>&1 || { tail -n 20 "$GDPR_TMP/restore.log"; fail "the dump does not restore"; }

tables=$(admin -d "$GDPR_DB" -c "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
                                WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
for t in $tables; do
  source_rows=$(admin -d "$GDPR_DB" -c "SELECT count(*) FROM public.$t")
  copy_rows=$(admin -d "$copy" -c "SELECT count(*) FROM public.$t")
  [[ $source_rows == "$copy_rows" ]] || fail "$t: $source_rows rows in the source, $copy_rows in the copy"
  echo "ok $t: $copy_rows rows"
done

# Every phone number and e-mail address of the source, in clear.
admin -d "$GDPR_DB" -c "
  SELECT DISTINCT v FROM (
    SELECT email FROM contacts UNION ALL SELECT phone FROM contacts UNION ALL SELECT email FROM agents
    UNION ALL SELECT caller FROM calls UNION ALL SELECT callee FROM calls
    UNION ALL SELECT requester_email FROM tickets UNION ALL SELECT author_email FROM ticket_messages) s(v)
  WHERE length(v) >= 6" >"$GDPR_TMP/clear_values.txt"
count=$(wc -l <"$GDPR_TMP/clear_values.txt")
((count > 1000)) || fail "expected thousands of clear values in the demo data, got $count"
if leaks=$(grep -F -o -f "$GDPR_TMP/clear_values.txt" "$dump" | sort -u | head -n 5) && [[ -n $leaks ]]; then
  fail "the masked dump contains clear values, e.g.: $leaks"
fi
echo "ok none of $count clear phone numbers and e-mail addresses is in the dump"
# And the copy holds the masked shapes, not empty columns.
masked=$(admin -d "$copy" -c "SELECT email FROM contacts WHERE email IS NOT NULL ORDER BY id LIMIT 1")
[[ $masked == *'***@'* ]] || fail "the copy's e-mails are not the masked ones: $masked"
echo "ok masked e-mails in the copy ($masked)"
