#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with clang (build-fuzz/) and runs
# each for FUZZ_SECONDS (default 60). Crashes land in build-fuzz/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DGDPR_FUZZ=ON -DGDPR_BUILD_EXTENSION=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Only the fuzz targets: the rest of the tree is built and tested with gcc by
# `make test` (clang 14 rejects some C++20 in the unit tests, e.g. lambdas
# capturing structured bindings).
mapfile -t fuzz_targets < <(cmake --build "$build" --target help | sed -n 's/^\.\.\. \(fuzz_[A-Za-z0-9_]*\).*/\1/p')
if ((${#fuzz_targets[@]} == 0)); then
  echo "fuzz: no fuzz_* targets in $build" >&2
  exit 1
fi
cmake --build "$build" -j2 --target "${fuzz_targets[@]}" >/dev/null
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
