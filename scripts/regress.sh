#!/usr/bin/env bash
# Runs the pg_regress suites (regress/schedule) against a temporary instance
# with gdpr preloaded. The extension must be installed (make install).
# Usage: scripts/regress.sh [BUILD_DIR]   (results in BUILD_DIR/regress, default build/)
# Prints "regress: N passed, N failed" as its last line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_dir=$(cd "${1:-$GDPR_ROOT/build}" && pwd)
out="$build_dir/regress"

# GDPR_REGRESS_TESTS="a b" runs only those tests (while developing); the full
# run checks that every sql file is scheduled, or it would silently never run.
schedule="$GDPR_ROOT/regress/schedule"
if [[ -n ${GDPR_REGRESS_TESTS:-} ]]; then
  mkdir -p "$build_dir"
  schedule="$build_dir/regress.schedule"
  printf 'test: %s\n' $GDPR_REGRESS_TESTS >"$schedule"
fi
unscheduled=()
for f in "$GDPR_ROOT"/regress/sql/*.sql; do
  [[ -n ${GDPR_REGRESS_TESTS:-} ]] && break
  name=$(basename "$f" .sql)
  grep -Eq "^test:.*[[:space:]]$name([[:space:]]|\$)" "$GDPR_ROOT/regress/schedule" || unscheduled+=("$name")
done
if ((${#unscheduled[@]})); then
  echo "regress: not in regress/schedule: ${unscheduled[*]}" >&2
  echo "regress: 0 passed, ${#unscheduled[@]} failed"
  exit 1
fi

rm -rf "$out"
pg_owned_dir "$out"
# The temporary instance's settings: regress/regress.conf plus a throw-away
# secret key for the extension.
as_pg sh -c "umask 077; openssl rand -hex 32 > '$out/gdpr.key'"
{ cat "$GDPR_ROOT/regress/regress.conf"; echo "gdpr.key_file = '$out/gdpr.key'"; } >"$out/regress.conf"
pg_regress=$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress

set +e
(cd "$out" && as_pg "$pg_regress" \
  --temp-instance="$out/tmp_check" \
  --temp-config="$out/regress.conf" \
  --bindir="$PG_BIN" \
  --inputdir="$GDPR_ROOT/regress" \
  --outputdir="$out" \
  --schedule="$schedule" \
  --port=${GDPR_REGRESS_PORT:-58432}) | tee "$out/pg_regress.log"
status=${PIPESTATUS[0]}
set -e

failed=$(grep -Ec '(\.\.\. FAILED|\.\.\. failed|^not ok)' "$out/pg_regress.log" || true)
passed=$(grep -Ec '(\.\.\. ok|^ok )' "$out/pg_regress.log" || true)
if [[ $status -ne 0 && -f "$out/regression.diffs" ]]; then
  echo "regress: differences in $out/regression.diffs:" >&2
  head -n 200 "$out/regression.diffs" >&2
fi
# A crashed backend fails the run even where the expected output still matched.
if grep -q 'terminated by signal' "$out/log/postmaster.log" 2>/dev/null; then
  echo "regress: a PostgreSQL process crashed during the run:" >&2
  grep -B2 -A2 'terminated by signal' "$out/log/postmaster.log" | head -n 20 >&2
  failed=$((failed + 1))
  status=1
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "regress: $passed passed, $failed failed"
exit "$status"
