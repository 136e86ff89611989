# Helpers for the gdprctl_*.sh end-to-end tests (sourced; not a test itself).
# shellcheck shell=bash
: "${GDPR_HOST:?}" "${GDPR_PG_PORT:?}" "${GDPR_DB:?}" "${GDPR_TMP:?}" "${GDPR_BUILD_DIR:?}"

gdprctl=$GDPR_BUILD_DIR/cli/gdprctl
[[ -x $gdprctl ]] || { echo "FAIL: $gdprctl is not built" >&2; exit 1; }
conn=(-h "$GDPR_HOST" -p "$GDPR_PG_PORT" -d "$GDPR_DB")
psql_db=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$GDPR_HOST" -p "$GDPR_PG_PORT" -U postgres -d "$GDPR_DB")
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { "${psql_db[@]}" -c "$1"; }

# A compliance officer login (member of gdpr_dpo) and a role that is not.
officer=gdprctl_officer
outsider=gdprctl_outsider
sql "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$officer') THEN CREATE ROLE $officer LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$outsider') THEN CREATE ROLE $outsider LOGIN; END IF;
END \$\$; SET client_min_messages = warning; GRANT gdpr_dpo TO $officer;"

# xlsx_dump FILE: every sheet of a workbook read back with a real reader
# (Python's zipfile + XML parser over the OOXML parts), one line per row:
#   SHEET<TAB>ROW<TAB>cell|cell|...   (numbers as written, inline and shared strings resolved)
xlsx_dump() {
  python3 - "$1" <<'PY'
import sys, zipfile, re
import xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, "corrupt zip"
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
wb = ET.fromstring(z.read("xl/workbook.xml"))
def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters: n = n * 26 + ord(ch) - 64
    return n - 1
for sheet in wb.find("m:sheets", ns):
    name = sheet.get("name")
    target = rels[sheet.get("{%s}id" % ns["r"])]
    root = ET.fromstring(z.read("xl/" + target.lstrip("/").replace("xl/", "", 1)))
    for row in root.find("m:sheetData", ns):
        cells = {}
        for c in row:
            t = c.get("t")
            if t == "inlineStr":
                v = "".join(x.text or "" for x in c.iter("{%s}t" % ns["m"]))
            elif t == "s":
                v = shared[int(c.find("m:v", ns).text)]
            else:
                e = c.find("m:v", ns)
                v = "" if e is None else e.text
                if t is None and c.get("s") and v: v = "n:" + v  # a styled number: a date
            cells[col_index(c.get("r"))] = v.replace("\n", "\\n")
        width = max(cells) + 1 if cells else 0
        print("%s\t%s\t%s" % (name, row.get("r"), "|".join(cells.get(i, "") for i in range(width))))
PY
}

# make_person EMAIL PHONE NAME: a person with a contact row, two calls (one from
# an unknown number in another notation), a recording, a ticket with her
# message and an agent's reply. Prints "contact call_a call_b recording ticket msg reply".
make_person() {
  local email=$1 phone=$2 name=$3 base agent
  # Leftovers of an earlier, interrupted run go first.
  sql "SELECT gdpr_erase('$email'), gdpr_erase('$phone')" >/dev/null
  [[ $(sql "SELECT count(*) FROM gdpr_find('$email')") -eq 0 ]] || fail "$email is still found after erasing it"
  base=$(sql "SELECT greatest((SELECT max(id) FROM contacts), (SELECT max(id) FROM calls), (SELECT max(id) FROM tickets),
                              (SELECT max(id) FROM ticket_messages), (SELECT max(id) FROM recordings)) + 1000")
  agent=$(sql "SELECT min(id) FROM agents")
  local c=$base call_a=$((base + 1)) call_b=$((base + 2)) rec=$((base + 3)) t=$((base + 4)) m=$((base + 5)) reply=$((base + 6))
  sql "
  INSERT INTO contacts (id, name, email, phone, address, created_at) VALUES
    ($c, '$name', '$email', '$phone', 'Skúšobná 7, 040 01 Košice', '2025-05-04 10:20:30+00');
  INSERT INTO calls (id, contact_id, agent_id, caller, callee, started_at, duration_s, cost, transcript) VALUES
    ($call_a, $c, $agent, '$phone', '+421 2 5010 1000', '2026-01-02 03:04:05+00', 187, 2.45, 'Customer: this is $name, \"quoted\", with a comma.'),
    ($call_b, NULL, $agent, '00${phone#+}', '+421 2 5010 1000', now() - interval '2 days', 65, 0.85, NULL);
  INSERT INTO recordings (id, call_id, audio, format) VALUES ($rec, $call_a, '\\x52494646', 'wav');
  INSERT INTO tickets (id, contact_id, requester_email, subject, status) VALUES ($t, $c, upper('$email'), 'Invoice question', 'open');
  INSERT INTO ticket_messages (id, ticket_id, author_email, body) VALUES
    ($m, $t, '$email', E'Why was I charged twice?\nRegards, $name'),
    ($reply, $t, 'support@demotel.sk', 'We will call you back.');
  " >/dev/null
  echo "$c $call_a $call_b $rec $t $m $reply"
}
