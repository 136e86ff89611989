#!/usr/bin/env bash
# gdpr-proxy's statement rewriter on one core: cold cost (parse + rewrite, a
# cache miss), cached cost (RewriteCache hit) and the pass-through cost of an
# unmasked policy, per statement shape. Median of 5 repetitions; CPU time is
# the figure to read on a shared machine. See bench/rewrite/RESULTS.md.
# Usage: GDPR_BUILD_DIR=build bench/rewrite/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${GDPR_BUILD_DIR:-$root/build}
cmake --build "$build_dir" --target rewrite_bench -j2 >/dev/null
exe=$(find "$build_dir" -type f -name rewrite_bench -perm -u+x | head -n1)
"$exe" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.2 | grep -E 'median|^-|Benchmark|Run on|CPU'
