#!/usr/bin/env bash
# `make test`: unit tests (GoogleTest via ctest), pg_regress suites, end-to-end
# tests. Runs every suite even when one fails, then prints one closing line
# "N passed, N failed" and exits non-zero on any failure.
# Usage: scripts/test.sh [BUILD_DIR]
set -uo pipefail
source "$(dirname "$0")/lib.sh"
build_dir=$(cd "${1:-$GDPR_ROOT/build}" && pwd)
logs="$build_dir/test-logs"
mkdir -p "$logs"

total_passed=0 total_failed=0 summary=()

count() {  # count SUITE PASSED FAILED
  total_passed=$((total_passed + $2)); total_failed=$((total_failed + $3))
  summary+=("$(printf '%-10s %5d passed, %d failed' "$1" "$2" "$3")")
}

echo "== unit tests (ctest)"
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 120 2>&1 | tee "$logs/unit.log" | grep -Ev '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' || true
line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$logs/unit.log" | tail -n 1)
if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
  count unit $((BASH_REMATCH[2] - BASH_REMATCH[1])) "${BASH_REMATCH[1]}"
elif grep -q 'No tests were found' "$logs/unit.log"; then
  count unit 0 0
else
  count unit 0 1
fi

echo "== pg_regress"
"$GDPR_ROOT/scripts/regress.sh" "$build_dir" 2>&1 | tee "$logs/regress.log"
line=$(tail -n 1 "$logs/regress.log")
if [[ $line =~ regress:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
  count regress "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
  count regress 0 1
fi

echo "== end-to-end"
"$GDPR_ROOT/scripts/e2e.sh" "$build_dir" 2>&1 | tee "$logs/e2e.log"
line=$(tail -n 1 "$logs/e2e.log")
if [[ $line =~ e2e:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
  count e2e "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
  count e2e 0 1
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[[ $total_failed -eq 0 ]]
