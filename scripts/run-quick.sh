#!/usr/bin/env bash
# The README's main job: install what is missing, build, run configs/quick.yaml on the GPU.
# Extra arguments go to 'scbench run' (e.g. -o results/local/quick.json.gz, --resume).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh default
exec build/scbench run configs/quick.yaml "$@"
