#!/usr/bin/env bash
# The demo data has the shape docs/demo-data.md promises (counts at scale 1,
# phone notations, identifiers in free text, three years of dates, integrity):
# sql/demo/check.sql run on a fresh load in a scratch database, because other
# tests erase and expire rows of the shared gdpr_demo database.
set -euo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
db="gdpr_demo_shape_$$"
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres)

trap '"${psql_admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
"${psql_admin[@]}" -d postgres -c "CREATE DATABASE $db"
"${psql_admin[@]}" -d "$db" -f "$GDPR_ROOT/sql/demo/schema.sql" >/dev/null
"${psql_admin[@]}" -d "$db" -v scale=1 -f "$GDPR_ROOT/sql/demo/generate.sql" >/dev/null
"${psql_admin[@]}" -d "$db" -v scale=1 -f "$GDPR_ROOT/sql/demo/check.sql"
