#!/usr/bin/env bash
# CREATE EXTENSION gdpr on a server that did not preload the library is
# refused with 55000 and a hint, rather than installing without its audit and
# retention; with the library preloaded (the harness's cluster) it works.
set -euo pipefail
: "${GDPR_ROOT:?}" "${GDPR_TMP:?}" "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}"
source "$GDPR_ROOT/scripts/lib.sh"
dir="$GDPR_TMP/no_preload"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'cluster_stop "$dir"' EXIT
cluster_init "$dir" "$port"
as_pg sh -c "echo \"shared_preload_libraries = ''\" >> '$dir/pgdata/postgresql.conf'"
cluster_start "$dir"

out=$(psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -c 'CREATE EXTENSION gdpr' 2>&1) && { echo "FAIL: CREATE EXTENSION succeeded without preload"; exit 1; }
grep -q '55000' <<<"$out" || { echo "FAIL: no SQLSTATE 55000 in: $out"; exit 1; }
grep -q 'HINT:  Add gdpr to shared_preload_libraries' <<<"$out" || { echo "FAIL: no hint in: $out"; exit 1; }
[[ $(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "SELECT count(*) FROM pg_extension WHERE extname = 'gdpr'") == 0 ]] ||
  { echo "FAIL: the extension was left half-installed"; exit 1; }
echo "ok: refused without preload"

# The harness's cluster preloads gdpr: there it installs.
db="gdpr_preload_$$"
psql -X -q -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$db" -c 'CREATE EXTENSION gdpr'
psql -X -q -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d postgres -c "DROP DATABASE $db WITH (FORCE)"
echo "ok: installs with preload"
