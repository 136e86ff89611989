#!/usr/bin/env bash
# `make bench`: runs every benchmark suite bench/*/run.sh in turn. Each suite
# compares against the real alternative in the same run (PgBouncer, pgaudit,
# direct connections, naive SQL), reports medians of several runs and ratios,
# and appends its results to bench/out/. See bench/RESULTS.md.
# Usage: bench/run.sh [BUILD_DIR] [SUITE...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$root/build}" && pwd)
shift || true
mkdir -p "$root/bench/out"
suites=("$@")
if ((${#suites[@]} == 0)); then
  for s in "$root"/bench/*/run.sh; do suites+=("$(basename "$(dirname "$s")")"); done
fi
for s in "${suites[@]}"; do
  echo "== bench: $s"
  GDPR_BUILD_DIR=$build_dir "$root/bench/$s/run.sh" 2>&1 | tee "$root/bench/out/$s.txt"
done
