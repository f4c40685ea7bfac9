#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
# GPU tests (label gpu) skip where no CUDA GPU is found. Extra arguments go to ctest (e.g. -L gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${SCBENCH_PRESET:-ci}"
bash scripts/install-deps.sh
bash scripts/build.sh "$preset"
ctest --preset "$preset" -j "$(nproc)" "$@"
