#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang and runs each for a bounded time.
# Usage: bash scripts/run-fuzzers.sh [seconds per target, default 60] [target...]
# A crash, a hang (one input over 10 s), a leak or an exception other than SpecError/NpyError fails the run;
# the input that did it is saved as build-fuzz/work/<target>/crash-* (rerun: build-fuzz/<target> FILE).
# Longer runs: bash scripts/run-fuzzers.sh 3600 fuzz_npy   (the corpus in build-fuzz/ grows and is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_sweep_yaml fuzz_network_yaml fuzz_npy)

if ! command -v clang++ >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "installing clang and libFuzzer"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null ||
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends clang >/dev/null
fi

build=build-fuzz
CXX=clang++ cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)"

# Seed corpora: the repository's own sweeps and networks, and a few valid .npy masks.
mkdir -p "$build/seeds/yaml" "$build/seeds/npy"
cp configs/*.yaml configs/*/*.yaml "$build/seeds/yaml/"
cp layers/*.yaml "$build/seeds/yaml/"
python3 - "$build/seeds/npy" <<'PY'
import sys, numpy as np
out = sys.argv[1]
np.save(f"{out}/u8.npy", (np.arange(24).reshape(2, 3, 2, 2) % 3 == 0).astype(np.uint8))
np.save(f"{out}/bool.npy", np.array([[True, False], [False, True]]))
np.save(f"{out}/f4.npy", np.linspace(-1, 1, 10, dtype=np.float32))
np.save(f"{out}/i8.npy", np.array([0, 1, 2], dtype=np.int64))
PY

status=0
printf "%-20s %12s %10s  %s\n" target executions seconds result
for target in "${targets[@]}"; do
  work="$build/work/$target"
  mkdir -p "$work/corpus"
  seeds="$build/seeds/yaml"
  [ "$target" = fuzz_npy ] && seeds="$build/seeds/npy"
  log="$work/fuzz.log"
  rc=0
  (cd "$work" && ASAN_OPTIONS=detect_leaks=1 "../../$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=4096 -print_final_stats=1 corpus "../../seeds/$(basename "$seeds")" > fuzz.log 2>&1) || rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  result="ok"
  if [ $rc -ne 0 ]; then
    result="FAILED (rc=$rc): $(grep -m1 -E 'ERROR|SUMMARY|terminate|deadly' "$log" || true)"
    status=1
    tail -40 "$log"
  fi
  printf "%-20s %12s %10s  %s\n" "$target" "$runs" "$seconds" "$result"
done
exit $status
