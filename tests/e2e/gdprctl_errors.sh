#!/usr/bin/env bash
# gdprctl's error paths and exit codes (docs/compliance/gdprctl.md): no
# connection -> 2, not in gdpr_dpo -> 3, nothing found -> 4, malformed
# identifier and bad arguments -> 1, a missing function -> 6, erase not
# confirmed on a terminal -> 8; clear messages, never a stack trace. Also the
# commands without a person: audit verify, inventory, scan, --help.
set -euo pipefail
source "$(dirname "$0")/gdprctl_lib.sh"

out=$GDPR_TMP/gdprctl_errors
rm -rf "$out"; mkdir -p "$out"

# expect CODE PATTERN ARGS...: gdprctl exits with CODE and says PATTERN on stderr.
expect() {
  local code=$1 pattern=$2 rc=0
  shift 2
  "$gdprctl" "$@" </dev/null >"$out/stdout" 2>"$out/stderr" || rc=$?
  [[ $rc -eq $code ]] || fail "gdprctl $* exited $rc, expected $code; stderr: $(cat "$out/stderr")"
  grep -Eq -- "$pattern" "$out/stderr" || fail "gdprctl $*: stderr lacks /$pattern/: $(cat "$out/stderr")"
  if grep -Eqi 'terminate called|what\(\)|Aborted|Segmentation' "$out/stderr"; then fail "gdprctl $* crashed"; fi
}
person=$(sql "SELECT email FROM contacts ORDER BY id LIMIT 1")

# --- connection: nothing listens on the port, an unknown database, an unknown user.
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 2 'cannot connect to the database.*Connection refused' find "$person" -h 127.0.0.1 -p "$free_port" -U "$officer"
expect 2 'cannot connect.*database "no_such_db" does not exist' -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -d no_such_db -U "$officer" find "$person"
expect 2 'cannot connect.*role "no_such_role" does not exist' find "$person" "${conn[@]}" -U no_such_role
expect 2 'HINT: Give the server with -h' find "$person" -d "host=127.0.0.1 port=$free_port"

# --- permission: a role that is not in gdpr_dpo, for every command that touches personal data.
expect 3 'need role gdpr_dpo.*' find "$person" "${conn[@]}" -U "$outsider"
expect 3 'SQLSTATE 42501' export "$person" -o "$out/x.xlsx" "${conn[@]}" -U "$outsider"
[[ ! -e $out/x.xlsx && ! -e $out/x.xlsx.partial ]] || fail "a refused export left a file"
expect 3 'SQLSTATE 42501' erase "$person" --dry-run "${conn[@]}" -U "$outsider"
expect 3 'SQLSTATE 42501' audit verify "${conn[@]}" -U "$outsider"
expect 3 'SQLSTATE 42501' inventory --format xlsx -o "$out/inv.xlsx" "${conn[@]}" -U "$outsider"
expect 3 'SQLSTATE 42501' scan "${conn[@]}" -U "$outsider"

# --- nothing found, malformed identifiers.
expect 4 'nothing found for nobody.here@example.org' find nobody.here@example.org "${conn[@]}" -U "$officer"
expect 4 'nothing found' export nobody.here@example.org -o "$out/n.json" --format json "${conn[@]}" -U "$officer"
[[ ! -e $out/n.json ]] || fail "an export of nobody wrote a file"
expect 4 'nothing to erase' erase nobody.here@example.org --yes "${conn[@]}" -U "$officer"
expect 1 'not a valid e-mail address.*' find 'jane@' "${conn[@]}" -U "$officer"
expect 1 'SQLSTATE 22023' export '   ' -o "$out/blank.xlsx" "${conn[@]}" -U "$officer"

# --- bad arguments: usage errors before any connection (port 1 would fail with 2).
expect 1 'A subcommand is required' -p 1
expect 1 "unknown command 'frobnicate'" frobnicate -p 1
expect 1 'identifier is required' find -p 1
expect 1 'xlsx,csv,json|not in' export "$person" --format pdf -o x -p 1
expect 1 'output is required|--output is required' export "$person" -p 1
expect 1 'needs an output file' inventory --format xlsx -p 1
expect 1 'only --format json can be written to standard output' export "$person" --format xlsx -o - -p 1
mkdir -p "$out/full" && touch "$out/full/keep"
expect 1 'already exists and is not empty' export "$person" --format csv -o "$out/full" "${conn[@]}" -U "$officer"
[[ -f $out/full/keep ]] || fail "an existing folder was touched"

# --- a database without the extension.
expect 6 'gdpr extension installed' find "$person" -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -d postgres -U "$officer"

# --- access-report: a person with history prints it (reading her e-mail
# above is such history, once the audit writer has stored it); an unknown
# person exits 4.
sql "SELECT gdpr.audit_flush()" >/dev/null
"$gdprctl" access-report "$person" "${conn[@]}" -U "$officer" >"$out/access-report" || fail "access-report failed"
grep -q 'SELECT' "$out/access-report" || fail "access-report lists no SELECT of the person's rows"
expect 4 'nothing found' access-report nobody.here@example.org "${conn[@]}" -U "$officer"

# --- erase on a terminal: asks, and "no" erases nothing (exit 8); the pty comes from script(1).
printf 'no\n' | script -qec "'$gdprctl' erase '$person' -h '$GDPR_HOST' -p '$GDPR_PG_PORT' -d '$GDPR_DB' -U '$officer'" /dev/null \
  >"$out/tty" 2>&1 && fail "an unconfirmed erase succeeded"
grep -q 'Type yes to erase' "$out/tty" || fail "no confirmation prompt on a terminal: $(cat "$out/tty")"
grep -q 'not confirmed: nothing was erased' "$out/tty" || fail "no cancellation message: $(cat "$out/tty")"
[[ $(sql "SELECT count(*) FROM gdpr_find('$person')") -gt 0 ]] || fail "an unconfirmed erase erased"
# ... and an export on a terminal draws its progress bar on stderr.
script -qec "'$gdprctl' export '$person' -o '$out/tty.xlsx' -h '$GDPR_HOST' -p '$GDPR_PG_PORT' -d '$GDPR_DB' -U '$officer'" /dev/null \
  >"$out/tty" 2>&1 </dev/null || fail "export on a terminal failed: $(cat "$out/tty")"
grep -q 'Exporting \[' "$out/tty" || fail "no progress bar on a terminal"

# --- the commands about the database as a whole.
"$gdprctl" audit verify "${conn[@]}" -U "$officer" >"$out/verify" || fail "audit verify exited $?"
grep -Eq '^Audit log intact: [0-9]+ events checked' "$out/verify" || fail "audit verify: $(cat "$out/verify")"
"$gdprctl" audit verify --json "${conn[@]}" -U "$officer" | python3 -c 'import json,sys; assert json.load(sys.stdin)["intact"] is True' ||
  fail "audit verify --json"
"$gdprctl" inventory "${conn[@]}" -U "$officer" >"$out/inv.md" || fail "inventory failed"
grep -q '^# Record of processing activities' "$out/inv.md" || fail "inventory markdown"
grep -q '^| caller | text | phone | yes |' "$out/inv.md" || fail "inventory markdown: calls.caller"
"$gdprctl" inventory --format xlsx -o "$out/inv.xlsx" "${conn[@]}" -U "$officer" 2>/dev/null || fail "inventory xlsx failed"
xlsx_dump "$out/inv.xlsx" >"$out/inv.txt"
rows=$(awk -F'\t' '$1 == "Inventory" && $2 > 1' "$out/inv.txt" | wc -l)
[[ $rows -eq $(sql "SELECT count(*) FROM gdpr.inventory") ]] || fail "inventory xlsx has $rows rows"
grep -q $'^Inventory\t1\tSchema name|Table name|Column name|' "$out/inv.txt" || fail "inventory xlsx headers"
"$gdprctl" scan "${conn[@]}" -U "$officer" >/dev/null || fail "scan failed"
"$gdprctl" scan --json "${conn[@]}" -U "$officer" | python3 -c 'import json,sys; assert isinstance(json.load(sys.stdin), list)' ||
  fail "scan --json"

# --- help.
"$gdprctl" --help >"$out/help" || fail "--help exited $?"
grep -q 'Exit codes' "$out/help" && grep -q 'access-report' "$out/help" || fail "--help lacks commands or exit codes"
"$gdprctl" erase --help >"$out/help" || fail "erase --help exited $?"
grep -q -- '--dry-run' "$out/help" || fail "erase --help lacks --dry-run"

rm -rf "$out"
echo "gdprctl_errors: ok"
