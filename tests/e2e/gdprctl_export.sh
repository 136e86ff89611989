#!/usr/bin/env bash
# Issue 9, "Done when": gdprctl export as a compliance officer produces a
# workbook that a real reader opens, holding every row gdpr_find lists, with
# an "About this export" sheet (categories, who accessed the data), dates as
# dates; csv and json formats hold the same; the export is in the audit log as
# done by the connected officer through gdprctl. Connection options work
# before and after the command, from PG* variables and as a conninfo string.
set -euo pipefail
source "$(dirname "$0")/gdprctl_lib.sh"

email=gustav.exportny@example.org
read -r c call_a call_b rec t m reply < <(make_person "$email" '+421948777321' 'Gustáv Exportný')
out=$GDPR_TMP/gdprctl_export
rm -rf "$out"; mkdir -p "$out"

# --- xlsx, connection options after the command.
audit_before=$(sql "SELECT coalesce(max(id), 0) FROM gdpr.audit_log")
"$gdprctl" export "$email" --format xlsx -o "$out/gustav.xlsx" "${conn[@]}" -U "$officer" 2>"$out/stderr" ||
  fail "export exited $?: $(cat "$out/stderr")"
[[ -f $out/gustav.xlsx && ! -e $out/gustav.xlsx.partial ]] || fail "no workbook (or a partial one left)"
[[ $(stat -c %a "$out/gustav.xlsx") == 600 ]] || fail "the export is readable by others: $(stat -c %a "$out/gustav.xlsx")"
if grep -q 'Exporting \[' "$out/stderr"; then fail "progress bar drawn although stderr is not a terminal"; fi
xlsx_dump "$out/gustav.xlsx" >"$out/dump.txt" || fail "the workbook does not open"

# Every row gdpr_find lists is on its table's sheet (id in the first column).
expected=$(sql "SELECT replace(relation::text, 'public.', '') || ' ' || (row_key ->> 'id') FROM gdpr_find('$email') ORDER BY 1")
[[ $(wc -l <<<"$expected") -eq 7 ]] || fail "gdpr_find lists $(wc -l <<<"$expected") rows, expected 7"
got=$(awk -F'\t' '$1 != "About this export" && $2 > 1 { split($3, v, "|"); print $1 " " v[1] }' "$out/dump.txt" | sort)
[[ $got == "$expected" ]] || fail "workbook rows differ from gdpr_find: expected
$expected
got
$got"
# Sheets in order, the About sheet first.
sheets=$(cut -f1 "$out/dump.txt" | uniq | paste -sd,)
[[ $sheets == 'About this export,calls,contacts,recordings,ticket_messages,tickets' ]] || fail "sheets: $sheets"

row() { awk -F'\t' -v s="$1" -v id="$2" '$1 == s { split($3, v, "|"); if (v[1] == id) print $3 }' "$out/dump.txt"; }
header() { awk -F'\t' -v s="$1" '$1 == s && $2 == 1 { print $3 }' "$out/dump.txt"; }
[[ $(header contacts) == 'Id|Name|Email|Phone|Company|Address|Created at|Why this row is listed' ]] ||
  fail "contacts header: $(header contacts)"
# 2025-05-04 10:20:30 UTC as an Excel date serial (the cluster runs in UTC), not as text.
[[ $(row contacts "$c") == "$c|Gustáv Exportný|$email|+421948777321||Skúšobná 7, 040 01 Košice|n:45781.43090277778|identifies you (email, phone)" ]] ||
  fail "contact row: $(row contacts "$c")"
[[ $(row calls "$call_a") == "$call_a|$c|"*"|+421948777321|+421 2 5010 1000|n:46024.12783564815|187|2.45|Customer: this is Gustáv Exportný, \"quoted\", with a comma.|identifies you (caller)" ]] ||
  fail "call row: $(row calls "$call_a")"
[[ $(row recordings "$rec") == "$rec|$call_a|UklGRg==|wav|n:"*"|belongs to one of your records" ]] ||
  fail "recording row (bytea as base64): $(row recordings "$rec")"
[[ $(row ticket_messages "$m") == "$m|$t|$email|Why was I charged twice?\\nRegards, Gustáv Exportný|n:"* ]] ||
  fail "message row: $(row ticket_messages "$m")"

# The About sheet: who it is about, by whom, each tagged column's category, and who accessed her rows.
about=$(awk -F'\t' '$1 == "About this export" { print $3 }' "$out/dump.txt")
grep -qx "Data about|$email (email)" <<<"$about" || fail "About: no 'Data about' line"
grep -qx "Produced by|$officer" <<<"$about" || fail "About: not produced by $officer"
grep -qx 'calls|caller|phone|(not stated)|(not stated)|text' <<<"$about" || fail "About: calls.caller category missing"
grep -qx 'recordings|audio|recording|(not stated)|(not stated)|bytea' <<<"$about" || fail "About: recording category missing"
grep -qx 'When|Who|Database role|Operation|Table|Columns|Application' <<<"$about" || fail "About: no access section"

# --- the export is in the audit log, by the officer, through gdprctl, for her rows.
sql "SELECT gdpr.audit_flush()" >/dev/null
events=$(sql "SELECT string_agg(DISTINCT relation::text, ',' ORDER BY relation::text) FROM gdpr.audit_log
              WHERE id > $audit_before AND actor = '$officer' AND application = 'gdprctl' AND operation = 'SELECT'
                AND relation::text NOT LIKE 'gdpr.%'")
[[ $events == 'calls,contacts,recordings,ticket_messages,tickets' ]] || fail "audit log: export events by $officer: '$events'"
[[ $(sql "SELECT count(*) FROM gdpr.audit_log WHERE id > $audit_before AND actor = '$officer'
          AND relation = 'contacts'::regclass AND row_keys @> '[$c]'") -ge 1 ]] || fail "audit log: her contact row not named"

# A second export lists the first one as an access to her data.
"$gdprctl" "${conn[@]}" -U "$officer" export "$email" -o "$out/again.xlsx" 2>/dev/null || fail "second export failed"
xlsx_dump "$out/again.xlsx" | awk -F'\t' '$1 == "About this export" { print $3 }' |
  grep -q "^n:[0-9.]*|$officer|[^|]*|SELECT|contacts|.*|gdprctl$" || fail "About: the first export is not listed as an access"

# --- csv folder, options before the command, identifier in another notation.
"$gdprctl" -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -d "$GDPR_DB" -U "$officer" export '0948 777 321' --format csv -o "$out/csv" 2>/dev/null ||
  fail "csv export failed"
files=$(cd "$out/csv" && ls | paste -sd,)
[[ $files == 'about_this_export.csv,calls.csv,contacts.csv,recordings.csv,ticket_messages.csv,tickets.csv' ]] || fail "csv files: $files"
csv_ids=$(python3 - "$out/csv" <<'PY'
import csv, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    if f == "about_this_export.csv": continue
    with open(os.path.join(sys.argv[1], f), newline="", encoding="utf-8") as h:
        rows = list(csv.reader(h))
    assert rows[0][0] == "id", rows[0]
    for r in rows[1:]:
        assert len(r) == len(rows[0]), (f, r)
        print(f[:-4], r[0])
PY
)
[[ $(sort <<<"$csv_ids") == "$expected" ]] || fail "csv rows differ from gdpr_find: $csv_ids"
python3 - "$out/csv/calls.csv" "$call_a" <<'PY' || fail "csv: quoting of the transcript"
import csv, sys
rows = {r[0]: r for r in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))}
assert rows[sys.argv[2]][8] == 'Customer: this is Gustáv Exportný, "quoted", with a comma.', rows[sys.argv[2]]
PY

# --- json, from PG* variables; it is gdpr_export's document.
PGHOST=$GDPR_HOST PGPORT=$GDPR_PG_PORT PGDATABASE=$GDPR_DB PGUSER=$officer \
  "$gdprctl" export "$email" --format json -o "$out/gustav.json" 2>/dev/null || fail "json export failed"
sql "SELECT gdpr_export('$email')::text" >"$out/sql.json"
python3 - "$out/gustav.json" "$out/sql.json" <<'PY' || fail "json export is not gdpr_export's document"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
strip = lambda d: {k: {kk: vv for kk, vv in v.items() if kk != "accessed_by"} for k, v in d["tables"].items()}
assert strip(a) == strip(b) and a["identifier_kind"] == b["identifier_kind"] == "email"
assert sum(len(t["rows"]) for t in a["tables"].values()) == 7
PY

# --- without --format the output's name decides.
"$gdprctl" "${conn[@]}" -U "$officer" export "$email" -o "$out/inferred.json" 2>/dev/null || fail "export to x.json failed"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out/inferred.json" || fail "x.json is not json"
"$gdprctl" "${conn[@]}" -U "$officer" export "$email" -o "$out/inferred-csv/" 2>/dev/null || fail "export to x/ failed"
[[ -f $out/inferred-csv/contacts.csv && ! -e $out/inferred-csv.partial ]] || fail "x/ did not become a csv folder"

# --- a conninfo string and a URI in -d.
"$gdprctl" find "$email" -d "host=$GDPR_HOST port=$GDPR_PG_PORT dbname=$GDPR_DB user=$officer" >/dev/null ||
  fail "conninfo string in -d"
"$gdprctl" find "$email" --json -d "postgresql://$officer@$GDPR_HOST:$GDPR_PG_PORT/$GDPR_DB?sslmode=disable" >"$out/find.json" ||
  fail "URI in -d"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 7 and d[0]['relation'] == 'calls', d" "$out/find.json" ||
  fail "find --json"

# --- nothing found: exit 4 and no file at all.
rc=0; "$gdprctl" "${conn[@]}" -U "$officer" export nobody.at.all@example.org -o "$out/nobody.xlsx" 2>/dev/null || rc=$?
[[ $rc -eq 4 ]] || fail "export of an unknown person exited $rc, expected 4"
[[ ! -e $out/nobody.xlsx && ! -e $out/nobody.xlsx.partial ]] || fail "an export file was left for an unknown person"

sql "SELECT gdpr_erase('$email')" >/dev/null
rm -rf "$out"
echo "gdprctl_export: ok"
