#!/usr/bin/env bash
# Configures and builds with a CMake preset (default: "default", into build/).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
export PATH="/usr/local/cuda/bin:$PATH"
jobs="$(nproc)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
