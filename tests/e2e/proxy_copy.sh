#!/usr/bin/env bash
# COPY through the proxy, both directions: COPY TO STDOUT returns exactly what
# the server returns directly; COPY FROM STDIN loads every row (several MB, so
# the data spans many reads and CopyData messages).
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

direct -c "\\copy (select * from calls order by id) to '$GDPR_TMP/calls_direct.csv' csv"
via_proxy -c "\\copy (select * from calls order by id) to '$GDPR_TMP/calls_proxy.csv' csv"
[[ -s $GDPR_TMP/calls_direct.csv ]] || fail "COPY out produced nothing"
cmp "$GDPR_TMP/calls_direct.csv" "$GDPR_TMP/calls_proxy.csv" || fail "COPY out through the proxy differs"

# COPY in goes to a temporary table (one psql session), so the demo database is left untouched.
seq 1 100000 | awk '{ printf "%d\tpayload number %d with some padding to make rows longer\n", $1, $1 }' >"$GDPR_TMP/copy_in.tsv"
got=$(via_proxy -c "create temp table copy_in (id int, payload text)" \
  -c "\\copy copy_in from '$GDPR_TMP/copy_in.tsv'" \
  -c "select count(*), sum(id), count(distinct payload) from copy_in")
[[ $got == "100000|5000050000|100000" ]] || fail "COPY in through the proxy loaded: $got"

# COPY FROM STDIN with an error in the data: the server rejects it and the
# session continues.
out=$(printf '1\tok\nnot-a-number\tbad\n' | psql -X -At -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U postgres -d "$GDPR_DB" \
  -c "create temp table copy_bad (id int, payload text)" -c "copy copy_bad from stdin" -c "select 'after copy'" 2>&1 || true)
expect_contains "$out" 'invalid input syntax for type integer: "not-a-number"' "COPY error"
expect_contains "$out" "after copy" "session after a failed COPY"
echo ok
