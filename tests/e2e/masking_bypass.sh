#!/usr/bin/env bash
# The bypass suite: a masked user (anna, policy agent) attacks through the real
# proxy with real clients (psql; libpq's extended protocol), one case per
# attempt. Every case asserts that no clear value of the target customer
# appears anywhere in what the client gets back (rows, errors, notices), in
# any encoding we know of (as is, upper/lower case, reversed, hex, base64,
# md5), and what the outcome must be:
#   masked   the statement works and shows masked values (rewritten by the proxy)
#   denied   the statement fails with 42501 (refused by the proxy or the database)
#   oracle   the answer is what it would be if only masked values existed
#   fails    the client gets an error saying what it expected (a refused login)
#   safe     any outcome is fine as long as nothing leaks
# The script ends with "subtests: N passed, M failed"; scripts/e2e.sh counts
# every case as a test.
set -uo pipefail
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_PROXY_PORT:?}" "${GDPR_DB:=gdpr_demo}" "${GDPR_ROOT:?}" "${GDPR_TMP:?}"
mkdir -p "$GDPR_TMP"
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB" "$@"; }
conninfo="host=$GDPR_HOST port=$GDPR_PROXY_PORT dbname=$GDPR_DB user=anna password=anna"

# ---- the client for the extended protocol ----
extended="$GDPR_TMP/pq_extended"
cc -std=c11 -Wall -Wextra -Werror -O1 -I"$(pg_config --includedir)" -o "$extended" \
  "$GDPR_ROOT/tests/e2e/clients/pq_extended.c" -L"$(pg_config --libdir)" -lpq ||
  { echo "FAIL: cannot compile tests/e2e/clients/pq_extended.c"; exit 1; }

# ---- the target and its secrets ----
admin -c "ANALYZE contacts; ANALYZE calls; ANALYZE tickets; ANALYZE ticket_messages" >/dev/null
cid=$(admin -c "SELECT c.id FROM contacts c WHERE email IS NOT NULL AND phone IS NOT NULL AND address IS NOT NULL
                  AND EXISTS (SELECT 1 FROM calls k WHERE k.contact_id = c.id)
                  AND EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = c.id) ORDER BY id LIMIT 1")
kid=$(admin -c "SELECT min(id) FROM calls WHERE contact_id = $cid")
tid=$(admin -c "SELECT min(id) FROM tickets WHERE contact_id = $cid")
rid=$(admin -c "SELECT min(id) FROM recordings")
[[ -n $cid && -n $kid && -n $tid && -n $rid ]] || { echo "FAIL: no suitable target in the demo data"; exit 1; }
email=$(admin -c "SELECT email FROM contacts WHERE id = $cid")
phone=$(admin -c "SELECT phone FROM contacts WHERE id = $cid")
mapfile -t secrets < <(admin -F $'\n' -c "
  WITH v(s) AS (
    SELECT name FROM contacts WHERE id = $cid UNION ALL SELECT email FROM contacts WHERE id = $cid
    UNION ALL SELECT phone FROM contacts WHERE id = $cid UNION ALL SELECT address FROM contacts WHERE id = $cid
    UNION ALL SELECT caller FROM calls WHERE id = $kid UNION ALL SELECT callee FROM calls WHERE id = $kid
    UNION ALL SELECT requester_email FROM tickets WHERE id = $tid
    UNION ALL SELECT substr(encode(audio, 'hex'), 1, 32) FROM recordings WHERE id = $rid)
  SELECT DISTINCT f FROM v, LATERAL (VALUES (s), (upper(s)), (lower(s)), (reverse(s)), (md5(s)),
      (encode(convert_to(s, 'UTF8'), 'hex')), (encode(convert_to(s, 'UTF8'), 'base64'))) x(f)
  WHERE length(f) >= 6")
((${#secrets[@]} >= 20)) || { echo "FAIL: too few secrets (${#secrets[@]})"; exit 1; }
echo "target: contact $cid, call $kid, ticket $tid, recording $rid; ${#secrets[@]} secret forms"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok $1"; }
flunk() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; printf '%s\n' "$3" | head -n 12 | sed 's/^/      /'; }
leaked() {  # leaked OUTPUT -> prints the first secret found
  local s
  for s in "${secrets[@]}"; do
    if [[ $1 == *"$s"* ]]; then echo "$s"; return 0; fi
  done
  return 1
}
anna() { PGPASSWORD=anna psql -X -At -v VERBOSITY=verbose -h "$GDPR_HOST" -p "$GDPR_PROXY_PORT" -U anna -d "$GDPR_DB" "$@" 2>&1; }
ext() { "$extended" "$conninfo" "$@" 2>&1; }
with_options() { PGOPTIONS="$1" anna "${@:2}"; }

# run_case KIND NAME EXPECTED -- COMMAND...
run_case() {
  local kind=$1 name=$2 expected=$3
  shift 4
  local out status secret
  out=$("$@"); status=$?
  if secret=$(leaked "$out"); then flunk "$name" "LEAKED [$secret]" "$out"; return; fi
  case $kind in
    masked)
      if ((status != 0)) || [[ $out == *ERROR* || -z $out ]]; then flunk "$name" "expected masked rows" "$out"; return; fi
      if [[ -n $expected && $out != *"$expected"* ]]; then flunk "$name" "expected to see [$expected]" "$out"; return; fi ;;
    denied)
      if [[ $out != *42501* ]]; then flunk "$name" "expected SQLSTATE 42501" "$out"; return; fi
      if [[ -n $expected && $out != *"$expected"* ]]; then flunk "$name" "expected the message to say [$expected]" "$out"; return; fi ;;
    oracle)
      if [[ $out != "$expected" ]]; then flunk "$name" "expected [$expected]" "$out"; return; fi ;;
    fails)
      if ((status == 0)) || [[ $out != *"$expected"* ]]; then flunk "$name" "expected a failure saying [$expected]" "$out"; return; fi ;;
    safe) ;;
  esac
  pass "$name"
}
masked() { run_case masked "$@"; }
denied() { run_case denied "$@"; }
oracle() { run_case oracle "$@"; }
safe() { run_case safe "$@"; }
fails() { run_case fails "$@"; }

# What anna sees of the target's e-mail: the shape of the masked value.
masked_email=$(anna -c "SELECT email FROM contacts WHERE id = $cid")
[[ -n $masked_email && $masked_email != "$email" && $masked_email == *"@"* ]] ||
  { echo "FAIL: anna does not see a masked e-mail ($masked_email)"; exit 1; }
domain=${email#*@}

W="WHERE id = $cid"
# ---- expressions, casts, functions ----
masked select_column "$domain" -- anna -c "SELECT email FROM contacts $W"
masked select_star "$domain" -- anna -c "SELECT * FROM contacts $W"
masked concat_empty "$domain" -- anna -c "SELECT email || '' FROM contacts $W"
masked cast_to_bytea "" -- anna -c "SELECT email::bytea FROM contacts $W"
masked upper_lower "" -- anna -c "SELECT upper(email), lower(name), upper(phone) FROM contacts $W"
masked substr_each_char "" -- anna -c "SELECT substr(email, g, 1) FROM contacts, generate_series(1, 40) g $W"
masked md5_hash "" -- anna -c "SELECT md5(email), md5(phone), md5(name) FROM contacts $W"
masked hex_encode "" -- anna -c "SELECT encode(convert_to(email, 'UTF8'), 'hex') FROM contacts $W"
masked base64_encode "" -- anna -c "SELECT encode(convert_to(phone, 'UTF8'), 'base64') FROM contacts $W"
masked reverse_value "" -- anna -c "SELECT reverse(email), reverse(address) FROM contacts $W"
masked ascii_codes "" -- anna -c "SELECT string_agg(ascii(substr(phone, g, 1))::text, ',') FROM contacts, generate_series(1, 20) g $W"
masked format_function "$domain" -- anna -c "SELECT format('%s|%s', email, phone) FROM contacts $W"
masked window_function "" -- anna -c "SELECT first_value(email) OVER (ORDER BY id) FROM contacts $W"
masked string_agg "$domain" -- anna -c "SELECT string_agg(email, ',') FROM contacts $W"
# ---- whole-row references ----
masked whole_row "$domain" -- anna -c "SELECT c FROM contacts c $W"
masked row_to_json "$domain" -- anna -c "SELECT row_to_json(c) FROM contacts c $W"
masked to_jsonb_table_name "$domain" -- anna -c "SELECT to_jsonb(contacts) FROM contacts $W"
masked row_cast_text "$domain" -- anna -c "SELECT contacts::text FROM contacts $W"
masked composite_field "$domain" -- anna -c "SELECT (c).email FROM contacts c $W"
masked array_agg_rows "$domain" -- anna -c "SELECT array_agg(c) FROM contacts c $W"
masked jsonb_agg_qualified "$domain" -- anna -c "SELECT jsonb_agg(contacts) FROM public.contacts $W"
# ---- how the table is named ----
masked table_command "$domain" -- anna -c "TABLE contacts"
masked schema_qualified "$domain" -- anna -c "SELECT email FROM public.contacts $W"
masked quoted_names "$domain" -- anna -c "SELECT email FROM \"public\".\"contacts\" $W"
masked upper_case_names "$domain" -- anna -c "SELECT EMAIL FROM PUBLIC.CONTACTS $W"
masked unicode_escape_name "$domain" -- anna -c "SELECT email FROM U&\"\\0063ontacts\" $W"
masked uescape_name "$domain" -- anna -c "SELECT email FROM U&\"!0063ontacts\" UESCAPE '!' $W"
masked comment_between_parts "$domain" -- anna -c "SELECT email FROM public/**/./* x */contacts $W"
masked only_and_star "$domain" -- anna -c "SELECT email FROM ONLY contacts $W" -c "SELECT email FROM contacts * $W"
masked catalog_qualified "$domain" -- anna -c "SELECT email FROM $GDPR_DB.public.contacts $W"
# ---- sub-queries in every clause, CTEs, set operations, LATERAL, joins ----
masked subquery_select_list "$domain" -- anna -c "SELECT (SELECT email FROM contacts $W)"
masked subquery_from "$domain" -- anna -c "SELECT * FROM (SELECT * FROM public.contacts) s $W"
masked subquery_order_by "" -- anna -c "SELECT 1 ORDER BY (SELECT email FROM contacts $W)"
masked subquery_having "" -- anna -c "SELECT count(*) FROM tickets HAVING count(*) > (SELECT length(email) FROM contacts $W)"
masked cte "$domain" -- anna -c "WITH x AS (SELECT * FROM contacts) SELECT email FROM x $W"
masked cte_named_like_table "$domain" -- anna -c "WITH contacts AS (SELECT * FROM public.contacts) SELECT email FROM contacts $W"
masked recursive_cte "$domain" -- anna -c "WITH RECURSIVE r(n, e) AS (SELECT 1, (SELECT email FROM contacts $W) UNION ALL SELECT n + 1, e FROM r WHERE n < 2) SELECT e FROM r"
masked union_all "$domain" -- anna -c "SELECT email FROM contacts $W UNION ALL SELECT 'x'"
masked intersect_except "" -- anna -c "SELECT email FROM contacts INTERSECT SELECT email FROM public.contacts EXCEPT SELECT 'x' LIMIT 3"
masked lateral "$domain" -- anna -c "SELECT l.e FROM (VALUES ($cid)) v(i), LATERAL (SELECT email AS e FROM contacts WHERE id = v.i) l"
masked join_calls_contacts "" -- anna -c "SELECT k.caller, c.phone FROM calls k JOIN contacts c ON c.id = k.contact_id WHERE k.id = $kid"
masked join_using "" -- anna -c "SELECT caller FROM calls JOIN tickets USING (contact_id) WHERE calls.id = $kid LIMIT 1"
# ---- objects the user creates ----
masked temp_view "$domain" -- anna -c "CREATE TEMP VIEW v AS SELECT * FROM public.contacts" -c "SELECT email FROM v $W"
masked create_table_as "$domain" -- anna -c "CREATE TEMP TABLE t AS SELECT * FROM contacts $W" -c "SELECT email FROM t"
masked select_into "$domain" -- anna -c "SELECT * INTO TEMP t2 FROM public.contacts $W" -c "SELECT email FROM t2"
masked insert_select_temp "$domain" -- anna -c "CREATE TEMP TABLE t3 (e text)" -c "INSERT INTO t3 SELECT email FROM public.contacts $W" -c "SELECT e FROM t3"
masked sql_standard_function_body "$domain" -- anna -c "CREATE FUNCTION pg_temp.f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT email FROM public.contacts $W; END" -c "SELECT pg_temp.f()"
denied sql_function_string_body "" -- anna -c "CREATE FUNCTION pg_temp.f() RETURNS text LANGUAGE sql AS 'SELECT email FROM public.contacts $W'" -c "SELECT pg_temp.f()"
denied plpgsql_security_definer "" -- anna -c "CREATE FUNCTION pg_temp.g() RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS \$f\$BEGIN RETURN (SELECT email FROM public.contacts $W); END\$f\$" -c "SELECT pg_temp.g()"
denied do_block_qualified "" -- anna -c "DO \$\$BEGIN RAISE NOTICE '%', (SELECT email FROM public.contacts $W); END\$\$"
denied do_block_dynamic_sql "" -- anna -c "DO \$\$DECLARE e text; BEGIN EXECUTE 'SELECT email FROM public.' || 'contacts $W' INTO e; RAISE NOTICE '%', e; END\$\$"
safe do_block_unqualified "" -- anna -c "DO \$\$BEGIN RAISE NOTICE '%', (SELECT email FROM contacts $W); END\$\$"
denied do_block_after_search_path "" -- anna -c "SET search_path = public" -c "DO \$\$BEGIN RAISE NOTICE '%', (SELECT email FROM contacts $W); END\$\$"
masked search_path_changed "$domain" -- anna -c "SET search_path = public, pg_catalog" -c "SELECT email FROM contacts $W"
masked temp_table_shadowing "$domain" -- anna -c "CREATE TEMP TABLE contacts (id bigint, email text)" -c "SELECT email FROM contacts $W"
# ---- cursors and prepared statements ----
masked cursor "$domain" -- anna -c "BEGIN" -c "DECLARE c CURSOR FOR SELECT * FROM public.contacts $W" -c "FETCH ALL FROM c" -c "COMMIT"
masked prepare_execute_sql "$domain" -- anna -c "PREPARE p(bigint) AS SELECT email FROM public.contacts WHERE id = \$1" -c "EXECUTE p($cid)"
masked extended_protocol_unnamed "$domain" -- ext params "SELECT email, phone FROM public.contacts WHERE id = \$1" "$cid"
masked extended_protocol_named "$domain" -- ext prepare "SELECT c FROM contacts c WHERE id = \$1" "$cid"
masked extended_protocol_cte "$domain" -- ext params "WITH x AS (SELECT * FROM public.contacts) SELECT email FROM x WHERE id = \$1::bigint" "$cid"
denied extended_protocol_set_role "SET ROLE" -- ext params "SET ROLE postgres"
denied extended_protocol_explain "EXPLAIN" -- ext prepare "EXPLAIN SELECT * FROM contacts WHERE email = \$1" "x"
# ---- COPY ----
masked copy_table_to_stdout "$domain" -- anna -c "COPY contacts TO STDOUT"
masked copy_columns_to_stdout "$domain" -- anna -c "COPY public.contacts (id, email, phone) TO STDOUT WITH (FORMAT csv)"
masked copy_query_to_stdout "$domain" -- anna -c "COPY (SELECT email FROM public.contacts $W) TO STDOUT"
masked psql_backslash_copy "$domain" -- anna -c "\\copy public.contacts (email) to stdout"
denied copy_to_program "" -- anna -c "COPY contacts TO PROGRAM 'cat'"
denied copy_to_file "" -- anna -c "COPY contacts TO '/tmp/contacts.txt'"
# ---- writes that read masked columns ----
denied update_copies_tagged_into_untagged "" -- anna -c "BEGIN" -c "UPDATE contacts SET company = email $W" -c "ROLLBACK"
denied update_where_tagged "" -- anna -c "BEGIN" -c "UPDATE contacts SET company = 'x' WHERE email = '$email'" -c "ROLLBACK"
denied update_returning_tagged "" -- anna -c "BEGIN" -c "UPDATE contacts SET company = company $W RETURNING email" -c "ROLLBACK"
denied delete_returning_star "" -- anna -c "BEGIN" -c "DELETE FROM ticket_messages WHERE id = -1 RETURNING *" -c "ROLLBACK"
denied insert_select_returning "" -- anna -c "BEGIN" -c "INSERT INTO tickets (requester_email, subject) SELECT email, 'x' FROM contacts $W RETURNING requester_email" -c "ROLLBACK"
denied upsert_reads_existing "" -- anna -c "BEGIN" -c "INSERT INTO contacts (id, name) VALUES ($cid, 'x') ON CONFLICT (id) DO UPDATE SET company = contacts.email" -c "ROLLBACK"
masked agent_writes_without_reading "" -- anna -c "BEGIN" -c "INSERT INTO tickets (requester_email, subject) VALUES ('new@example.com', 'hello') RETURNING id" -c "ROLLBACK"
# ---- predicate oracles ----
oracle equality_oracle "0" -- anna -c "SELECT count(*) FROM contacts WHERE email = '$email'"
oracle like_oracle "0" -- anna -c "SELECT count(*) FROM contacts WHERE phone LIKE '${phone:0:10}%'"
oracle in_oracle "0" -- anna -c "SELECT count(*) FROM public.contacts WHERE lower(email) IN (lower('$email'))"
oracle exists_oracle "f" -- anna -c "SELECT EXISTS (SELECT 1 FROM contacts WHERE email = '$email')"
oracle join_oracle "0" -- anna -c "SELECT count(*) FROM contacts c JOIN (VALUES ('$email')) v(e) ON v.e = c.email"
oracle group_by_having_oracle "" -- anna -c "SELECT email FROM contacts GROUP BY email HAVING email = '$email'"
oracle order_by_oracle "$cid" -- anna -c "SELECT id FROM contacts $W ORDER BY email = '$email' DESC, id LIMIT 1"
masked min_max "" -- anna -c "SELECT min(email), max(phone) FROM contacts $W"
safe pg_stats "" -- anna -c "SELECT attname, most_common_vals, histogram_bounds FROM pg_stats WHERE tablename IN ('contacts', 'calls', 'tickets')"
safe pg_statistic "" -- anna -c "SELECT * FROM pg_statistic LIMIT 5"
# ---- error messages ----
safe cast_error_masked_value "" -- anna -c "SELECT email::int FROM contacts $W"
safe cast_error_base_table "" -- anna -c "SELECT phone::numeric FROM public.contacts $W"
safe check_violation_failing_row "" -- anna -c "UPDATE calls SET duration_s = -1 WHERE id = $kid"
safe unique_violation_detail "" -- anna -c "INSERT INTO contacts (id, name, email) VALUES ($cid, 'x', 'y')"
safe division_error_context "" -- anna -c "SELECT 1 / (length(email) - length(email)) FROM public.contacts $W"
# ---- EXPLAIN ----
denied explain "EXPLAIN" -- anna -c "EXPLAIN SELECT * FROM contacts WHERE email = '$email'"
denied explain_analyze "EXPLAIN" -- anna -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM public.contacts"
denied explain_execute "EXPLAIN" -- anna -c "PREPARE q AS SELECT * FROM contacts" -c "EXPLAIN EXECUTE q"
# ---- multi-statement strings, comments, quoting ----
masked multi_statement "$domain" -- anna -c "SELECT 1; SELECT email FROM public.contacts $W"
denied multi_statement_with_refused "SET ROLE" -- anna -c "SELECT email FROM public.contacts $W; SET ROLE postgres; SELECT 2"
masked name_in_comment_and_string "" -- anna -c "SELECT 'FROM public.contacts', \$\$public.contacts\$\$ /* public.contacts */ -- public.contacts"
masked dollar_quote_adjacent "$domain" -- anna -c "SELECT \$a\$x\$a\$, email FROM public.contacts $W"
denied backslash_trick_scs_off "standard_conforming_strings" -- anna -c "SET standard_conforming_strings = off" -c "SELECT 'a\\' , email FROM public.contacts $W --'"
masked escape_string_literal "$domain" -- anna -c "SELECT E'a\\'', email FROM public.contacts $W"
masked unicode_string_literal "$domain" -- anna -c "SELECT U&'\\0061', email FROM public.contacts $W"
denied multibyte_client_encoding "client_encoding" -- anna -c "SET client_encoding = 'SJIS'" -c "SELECT email FROM public.contacts $W"
masked single_byte_client_encoding "$domain" -- anna -c "SET client_encoding = 'LATIN1'" -c "SELECT 'caf\xe9', email FROM public.contacts $W"
denied unparsable "cannot parse" -- anna -c "SELECT email FROM public.contacts WHERE"
# ---- role switching and actor spoofing ----
denied set_role "SET ROLE" -- anna -c "SET ROLE postgres" -c "SELECT email FROM public.contacts $W"
denied set_session_authorization "SESSION AUTHORIZATION" -- anna -c "SET SESSION AUTHORIZATION postgres"
denied reset_role "SET ROLE" -- anna -c "RESET ROLE"
denied reset_all "RESET ALL" -- anna -c "RESET ALL"
denied discard_all "DISCARD ALL" -- anna -c "DISCARD ALL"
denied set_actor "gdpr.actor" -- anna -c "SET gdpr.actor = 'carla'"
denied set_config_actor "gdpr.actor" -- anna -c "SELECT set_config('gdpr.actor', 'carla', false)"
denied set_config_computed_name "gdpr.actor" -- anna -c "SELECT set_config('gdpr.' || 'actor', 'carla', false)"
denied alter_role_set "ALTER ROLE" -- anna -c "ALTER ROLE CURRENT_USER SET gdpr.actor = 'carla'"
denied function_set_clause "SET ROLE" -- anna -c "CREATE FUNCTION pg_temp.h() RETURNS text LANGUAGE sql SET role = postgres AS 'SELECT email FROM public.contacts $W'"
fails startup_options "start-up options are not allowed" -- with_options "-c gdpr.actor=carla -c role=postgres" -c "SELECT email FROM public.contacts $W"
denied load_library "LOAD" -- anna -c "LOAD 'auto_explain'"
denied alter_system "ALTER SYSTEM" -- anna -c "ALTER SYSTEM SET log_statement = 'none'"
denied function_call_message "FunctionCall" -- anna -c "\\lo_import /etc/hostname"
# ---- other ways in ----
masked recording_is_null "" -- anna -c "SELECT coalesce(audio::text, 'NULL') FROM recordings WHERE id = $rid"
masked redacted_bodies "" -- anna -c "SELECT body FROM ticket_messages WHERE ticket_id = $tid"
masked ticket_requester "" -- anna -c "SELECT requester_email, subject FROM tickets WHERE id = $tid"
denied other_policy_view "" -- anna -c "SELECT email FROM gdpr_mask_supervisor.contacts $W"
denied audit_log "" -- anna -c "SELECT * FROM gdpr.audit_log LIMIT 1"
denied subject_find "" -- anna -c "SELECT * FROM gdpr_find('$email')"
safe tablesample "" -- anna -c "SELECT email FROM contacts TABLESAMPLE system (100) $W"
safe system_columns "" -- anna -c "SELECT ctid, xmin FROM public.contacts $W"
safe notify_payload "" -- anna -c "SELECT pg_notify('x', email) FROM public.contacts $W"
safe for_update "" -- anna -c "BEGIN" -c "SELECT email FROM contacts $W FOR UPDATE" -c "ROLLBACK"

echo "subtests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
