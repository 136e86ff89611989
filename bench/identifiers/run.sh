#!/usr/bin/env bash
# Identifier recogniser micro-benchmark: normalize() values/s per kind of
# input, find_in_text()/redact() MB/s on support-mail text. Median of 5
# repetitions, one core. Usage: GDPR_BUILD_DIR=build bench/identifiers/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${GDPR_BUILD_DIR:-$root/build}
cmake --build "$build_dir" --target identifiers_bench -j2 >/dev/null
exe=$(find "$build_dir" -type f -name identifiers_bench -perm -u+x | head -n1)
"$exe" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.2 | grep -E 'median|^-|Benchmark|Run on|CPU'
