#!/usr/bin/env bash
# pg_dump of the demo database through gdpr-proxy over TLS (as postgres,
# passthrough, sslmode=require; the proxy requires TLS), in the custom format
# (COPY OUT of every table through the proxy), restored with pg_restore
# directly on the server into an empty database; every table pg_dump carries
# has the same number of rows as the source, and the same rows (md5 of all rows).
set -euo pipefail
source "$(dirname "$0")/proxy_clients_lib.sh"

require_command pg_dump postgresql-client-15
require_command pg_restore postgresql-client-15
dst="proxy_pg_dump_$$"
dump="$GDPR_TMP/proxy_pg_dump_$$.dump"
admin=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres)
start_tls_proxy proxy_client_pg_dump
cleanup() {
  stop_own_proxy
  "${admin[@]}" -d postgres -c "drop database if exists $dst" >/dev/null 2>&1 || true
  rm -f "$dump"
}
trap cleanup EXIT

# table_rows DB: "schema.table|rows|md5 of the sorted rows" for every table
# pg_dump must carry: all tables outside the system schemas except the
# extension's own, plus the extension's configuration tables
# (pg_extension_config_dump). The extension's other tables are documented as
# not dumped (policies, users: docs/dba/policies.md; the audit log:
# docs/dba/audit.md) or are rebuilt on restore (the subject index).
table_rows() {
  "${admin[@]}" -d "$1" <<'SQL'
SELECT format($q$SELECT %L || '|' || count(*) || '|' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM %I.%I t$q$,
              n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
   AND (NOT EXISTS (SELECT FROM pg_depend d
                     WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'gdpr'))
 ORDER BY n.nspname, c.relname
\gexec
SQL
}

before=$(table_rows "$GDPR_DB")
for table in contacts agents calls recordings tickets ticket_messages; do
  grep -q "^public\.$table|[1-9]" <<<"$before" || fail "the demo table $table is not counted, or empty, in the source: $before"
done

pg_dump "$(tls_conninfo postgres)" -Fc -f "$dump" 2>"$GDPR_TMP/proxy_pg_dump.err" ||
  fail "pg_dump through the proxy failed: $(cat "$GDPR_TMP/proxy_pg_dump.err")"
[[ -s $dump ]] || fail "pg_dump wrote nothing"
# The dump's session went through the proxy over TLS (its log line records it).
grep -q "application=pg_dump tls=on" "$OWN_PROXY_LOG" || fail "no pg_dump session over TLS in the proxy log"

"${admin[@]}" -d postgres -c "create database $dst"
# The subject index's triggers are internal (pg_dump leaves them out): the
# restore must be clean.
pg_restore -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$dst" "$dump" 2>"$GDPR_TMP/proxy_pg_restore.err" ||
  fail "pg_restore into an empty database failed: $(cat "$GDPR_TMP/proxy_pg_restore.err")"
after=$(table_rows "$dst")

echo "$before"
if [[ $before != "$after" ]]; then
  diff <(echo "$before") <(echo "$after") >&2 || true
  fail "row counts or contents differ between the source and the restored copy"
fi
expect_proxy_alive
echo "ok: $(wc -l <<<"$before") tables, $(awk -F'|' '{ s += $2 } END { print s }' <<<"$before") rows dumped through the proxy over TLS and restored"
