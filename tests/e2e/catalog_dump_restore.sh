#!/usr/bin/env bash
# Tags survive pg_dump / pg_restore: a tagged database (the demo schema and
# data with its tags, plus labels in odd spellings and a quoted retention
# column) is dumped with pg_dump -Fc and restored into a fresh database with
# the extension; gdpr.inventory, the table labels and the C++ catalog cache
# must read the same before and after.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_TMP:?}" "${GDPR_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
bin=/usr/lib/postgresql/15/bin
[[ -x $bin/pg_dump ]] || bin=$(dirname "$(command -v pg_dump)")
src="gdpr_catalog_dump_src_$$"
dst="gdpr_catalog_dump_dst_$$"
dump="$GDPR_TMP/catalog_dump_$$.dump"
conn=(-h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres)
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 "${conn[@]}")

cleanup() {
  "${psql_admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1 || true
  rm -f "$dump"
}
trap cleanup EXIT

"${psql_admin[@]}" -d postgres -c "CREATE DATABASE $src"
"${psql_admin[@]}" -d "$src" -c "CREATE EXTENSION gdpr"
"${psql_admin[@]}" -d "$src" -v scale=0.1 -f "$GDPR_ROOT/sql/demo/load.sql" >/dev/null
"${psql_admin[@]}" -d "$src" <<'SQL'
CREATE SCHEMA "Archive";
CREATE TABLE "Archive"."Old Calls" (id bigint PRIMARY KEY, "Caller No" text, "Started At" timestamptz, note text);
SECURITY LABEL FOR gdpr ON COLUMN "Archive"."Old Calls"."Caller No" IS '  Phone ; SUBJECT ; basis=Contract';
SECURITY LABEL FOR gdpr ON COLUMN "Archive"."Old Calls".note IS 'free_text; purpose=quality, it''s kept';
SECURITY LABEL FOR gdpr ON TABLE "Archive"."Old Calls" IS 'erase=anonymize; retention=18 mons; retention_column="Started At"';
SQL

inventory_query="SELECT schema_name, table_name, column_name, data_type, category, subject, purpose, basis, erase,
                        retention, retention_column, label
                   FROM gdpr.inventory ORDER BY schema_name, table_name, attnum"
labels_query="SELECT c.relnamespace::regnamespace, c.relname, s.objsubid, s.label
                FROM pg_seclabel s JOIN pg_class c ON c.oid = s.objoid
               WHERE s.provider = 'gdpr' ORDER BY 1, 2, 3"
cache_query="SELECT t.relation, c.* FROM gdpr._tagged_relations() t, gdpr._catalog_tags(t.relation) c ORDER BY t.relation::text, c.attnum"

"${psql_admin[@]}" -d "$src" -At -c "$inventory_query" >"$GDPR_TMP/catalog_inventory_before_$$"
"${psql_admin[@]}" -d "$src" -At -c "$labels_query" >"$GDPR_TMP/catalog_labels_before_$$"
"${psql_admin[@]}" -d "$src" -At -c "$cache_query" >"$GDPR_TMP/catalog_cache_before_$$"
rows=$(wc -l <"$GDPR_TMP/catalog_inventory_before_$$")
if ((rows != 16)); then
  echo "expected 16 tagged columns before the dump (14 demo + 2), got $rows" >&2
  cat "$GDPR_TMP/catalog_inventory_before_$$" >&2
  exit 1
fi

"$bin/pg_dump" "${conn[@]}" -Fc -f "$dump" "$src"
"${psql_admin[@]}" -d postgres -c "CREATE DATABASE $dst"
"${psql_admin[@]}" -d "$dst" -c "CREATE EXTENSION gdpr"
# The subject index's triggers are internal (pg_dump leaves them out): the
# restore must be clean, and the extension re-creates them from the labels.
"$bin/pg_restore" "${conn[@]}" -d "$dst" "$dump" 2>"$GDPR_TMP/catalog_restore_$$.log" || {
  cat "$GDPR_TMP/catalog_restore_$$.log" >&2
  exit 1
}
triggers=$("${psql_admin[@]}" -At -d "$dst" -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'gdpr\_subject\_index\_%'")
[[ $triggers -gt 0 ]] || { echo "FAIL: the restored database has no subject index triggers" >&2; exit 1; }

status=0
for what in inventory labels cache; do
  query_var="${what}_query"
  "${psql_admin[@]}" -d "$dst" -At -c "${!query_var}" >"$GDPR_TMP/catalog_${what}_after_$$"
  if ! diff -u "$GDPR_TMP/catalog_${what}_before_$$" "$GDPR_TMP/catalog_${what}_after_$$"; then
    echo "catalog_dump_restore: $what differs after pg_restore" >&2
    status=1
  fi
  rm -f "$GDPR_TMP/catalog_${what}_before_$$" "$GDPR_TMP/catalog_${what}_after_$$"
done
rm -f "$GDPR_TMP/catalog_restore_$$.log"
[[ $status -eq 0 ]] && echo "catalog_dump_restore: $rows tagged columns and every label survived pg_dump/pg_restore"
exit $status
