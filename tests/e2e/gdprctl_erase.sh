#!/usr/bin/env bash
# gdprctl erase: refuses without --yes when stdin is not a terminal, shows the
# dry run, erases through the extension and prints the certificate (request
# id, counts, time, keyed hashes) that matches the erasure log; afterwards
# find (and a second erase) find nothing.
set -euo pipefail
source "$(dirname "$0")/gdprctl_lib.sh"

email=erik.vymazany@example.org
phone='+421948777654'
read -r c call_a call_b rec t m reply < <(make_person "$email" "$phone" 'Erik Vymazaný')
out=$GDPR_TMP/gdprctl_erase
rm -rf "$out"; mkdir -p "$out"
ctl() { "$gdprctl" "${conn[@]}" -U "$officer" "$@"; }

# Not on a terminal and no --yes: refused, nothing erased.
rc=0; ctl erase "$email" </dev/null >"$out/o" 2>"$out/e" || rc=$?
[[ $rc -eq 1 ]] || fail "erase without --yes and without a terminal exited $rc, expected 1"
grep -q 'standard input is not a terminal' "$out/e" || fail "no clear refusal: $(cat "$out/e")"
[[ $(sql "SELECT count(*) FROM gdpr_find('$email')") -eq 7 ]] || fail "the refused erase changed data"

# Dry run: the plan, nothing changed, nothing logged.
erasures_before=$(sql "SELECT count(*) FROM gdpr.erasures")
ctl erase "$email" --dry-run </dev/null >"$out/dry" || fail "dry run failed"
grep -q '^ public.calls  *| 0  *| 2  *| 0 *$' "$out/dry" || fail "dry run: calls not planned as 2 anonymised: $(cat "$out/dry")"
grep -q '^ public.contacts  *| 1  *| 0  *| 0 *$' "$out/dry" || fail "dry run: contact not planned for deletion"
grep -q 'Nothing was changed' "$out/dry" || fail "dry run does not say nothing changed"
[[ $(sql "SELECT count(*) FROM gdpr_find('$email')") -eq 7 ]] || fail "the dry run changed data"
[[ $(sql "SELECT count(*) FROM gdpr.erasures") -eq $erasures_before ]] || fail "the dry run was logged"

# Erase with --yes: the certificate, in text.
ctl erase "$phone" --yes </dev/null >"$out/cert" 2>"$out/e" || fail "erase --yes failed: $(cat "$out/e")"
cat "$out/cert"
request_id=$(sed -n 's/^  Request id: *//p' "$out/cert")
[[ $request_id =~ ^[0-9a-f-]{36}$ ]] || fail "certificate without request id"
log=$(sql "SELECT actor || ' ' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || ' ' || array_to_string(identifier_hashes, ' ')
           FROM gdpr.erasures WHERE request_id = '$request_id'")
read -r log_actor log_date log_time log_hashes <<<"$log"
[[ $log_actor == "$officer" ]] || fail "erasure logged for '$log_actor', not $officer"
grep -q "^  Erased by: *$officer\$" "$out/cert" || fail "certificate: wrong actor"
grep -q "^  Erased at: *$log_date $log_time UTC\$" "$out/cert" || fail "certificate: time differs from the log ($log_date $log_time)"
for h in $log_hashes; do grep -q "^    $h\$" "$out/cert" || fail "certificate: keyed hash $h missing"; done
[[ $(wc -w <<<"$log_hashes") -ge 2 ]] || fail "expected her e-mail and phone hashes in the log: $log_hashes"
grep -q '^ public.recordings  *| 1  *| 0  *| 0 *$' "$out/cert" || fail "certificate: recording count"
if sed -n '/^ERASURE CERTIFICATE/,$p' "$out/cert" | grep -Eqi 'erik|vymazan|948.?777'; then
  fail "the certificate holds personal data"
fi

# Nothing left: find and a second erase exit 4; the calls stay for billing.
rc=0; ctl find "$email" >/dev/null 2>&1 || rc=$?
[[ $rc -eq 4 ]] || fail "find after erase exited $rc, expected 4"
rc=0; ctl find "$phone" >/dev/null 2>&1 || rc=$?
[[ $rc -eq 4 ]] || fail "find by phone after erase exited $rc, expected 4"
rc=0; ctl erase "$email" --yes >/dev/null 2>&1 || rc=$?
[[ $rc -eq 4 ]] || fail "second erase exited $rc, expected 4"
[[ $(sql "SELECT string_agg(duration_s || ' ' || coalesce(caller, '-'), ',' ORDER BY id) FROM calls WHERE id IN ($call_a, $call_b)") == '187 [erased],65 [erased]' ]] ||
  fail "her calls: $(sql "SELECT string_agg(duration_s || ' ' || coalesce(caller, '-'), ',' ORDER BY id) FROM calls WHERE id IN ($call_a, $call_b)")"

# --json certificate for scripts.
read -r c2 _ < <(make_person "$email" "$phone" 'Erik Vymazaný')
ctl erase "$email" --yes --json </dev/null >"$out/cert.json" || fail "erase --json failed"
python3 - "$out/cert.json" "$officer" <<'PY' || fail "json certificate: $(cat "$out/cert.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["actor"] == sys.argv[2] and len(d["request_id"]) == 36 and d["at"]
assert d["tables"]["public.contacts"]["rows_deleted"] == 1 and len(d["identifier_hashes"]) >= 2
PY
[[ $(sql "SELECT count(*) FROM contacts WHERE id = $c2") -eq 0 ]] || fail "json erase left the contact"
rm -rf "$out"
echo "gdprctl_erase: ok"
