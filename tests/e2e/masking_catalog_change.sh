#!/usr/bin/env bash
# A catalog change reaches open masked sessions at once: anna reads a column
# that is not tagged, a DBA tags it, and anna's very next statement (the same
# text, so a cached rewrite would be stale) shows it masked. The proxy reloads
# its catalog on NOTIFY gdpr_catalog and its rewrite cache keys on the
# catalog generation; the database regenerates the views in the same
# transaction as the tag.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_PROXY_PORT:?}" "${GDPR_DB:=gdpr_demo}"
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# A table with no tagged column yet: no masked view exists, so the proxy
# passes statements on it unchanged (the DBA granted the policy role SELECT).
# Once tagged, the same statement text must be rewritten to the new view: a
# stale cached rewrite would read the base table and get "permission denied".
restore() { admin -c "DROP TABLE IF EXISTS e2e_memos" >/dev/null 2>&1 || true; }
trap restore EXIT
restore
admin -c "CREATE TABLE e2e_memos (id int PRIMARY KEY, author text)" \
      -c "INSERT INTO e2e_memos VALUES (1, 'Jarmila Kováčová')" \
      -c "GRANT SELECT ON e2e_memos TO gdpr_policy_agent" >/dev/null
clear='Jarmila Kováčová'
query="SELECT author FROM e2e_memos WHERE id = 1;"

out=$(PGPASSWORD=anna psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna -d "$GDPR_DB" <<SQL
$query
\\! psql -X -q -h $GDPR_HOST -p $GDPR_PG_PORT -U postgres -d $GDPR_DB -c "SECURITY LABEL FOR gdpr ON COLUMN e2e_memos.author IS 'name'"
\\! sleep 1
$query
SQL
)
echo "$out"
[[ $out != *ERROR* ]] || fail "anna got an error: $out"
mapfile -t lines <<<"$out"
[[ ${lines[0]} == "$clear" ]] || fail "before tagging anna should read the untagged author in clear: ${lines[0]}"
[[ -n ${lines[1]:-} && ${lines[1]} != "$clear" ]] || fail "after tagging anna does not read the author masked: ${lines[1]:-<nothing>}"
echo "ok: '$clear' became '${lines[1]}' for the open session"
