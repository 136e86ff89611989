#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with clang (build-fuzz/) and runs
# each for FUZZ_SECONDS (default 60). Crashes land in build-fuzz/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DGDPR_FUZZ=ON -DGDPR_BUILD_EXTENSION=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target all >/dev/null
mkdir -p "$build/artifacts"
status=0
while IFS= read -r target; do
  name=$(basename "$target")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  seeds="$root/proxy/fuzz/corpus/$name"
  echo "== fuzz $name for ${seconds}s"
  log="$build/$name.log"
  args=("$corpus")
  [[ -d $seeds ]] && args+=("$seeds")
  if ! "$target" -max_total_time="$seconds" -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 \
    "${args[@]}" >"$log" 2>&1; then
    status=1
    echo "fuzz $name FOUND A PROBLEM; see $log" >&2
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' "$log" || true
done < <(find "$build" -maxdepth 3 -type f -executable -name 'fuzz_*')
exit $status
