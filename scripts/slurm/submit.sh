#!/usr/bin/env bash
# Submits a sweep as a Slurm job array of N shards (one GPU each) and a merge job that runs when all of
# them have succeeded, and prints where the merged document will be.
# Usage: scripts/slurm/submit.sh SWEEP.yaml N [OUT_DIR] [extra sbatch arguments for the array...]
# Environment: SCBENCH (the binary, default build/scbench), SCBENCH_ARGS (more `scbench run` arguments),
# SCBENCH_MAX_PARALLEL (at most this many shards at once, default all).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SWEEP.yaml N [OUT_DIR] [sbatch arguments...]" >&2
  exit 2
fi
sweep="$1"
count="$2"
out_dir="${3:-results/slurm/$(basename "$sweep" .yaml)}"
shift $(( $# >= 3 ? 3 : 2 ))
if ! [[ "$count" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: N must be a positive whole number, got '$count'" >&2
  exit 2
fi
[ -f "$sweep" ] || { echo "error: no sweep file $sweep" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
scbench="${SCBENCH:-build/scbench}"
name="$(basename "$sweep" .yaml)"
mkdir -p "$out_dir"
limit="${SCBENCH_MAX_PARALLEL:+%$SCBENCH_MAX_PARALLEL}"
array_id=$(sbatch --parsable --array="0-$((count - 1))$limit" --output="$out_dir/slurm-%A_%a.out" "$@" \
  "$here/scbench-array.sbatch" "$sweep" "$out_dir")
array_id="${array_id%%;*}"
merged="$out_dir/$name.json.gz"
merge_id=$(sbatch --parsable --job-name=scbench-merge --dependency="afterok:$array_id" --output="$out_dir/slurm-merge-%j.out" \
  --wrap="'$scbench' merge $out_dir/$name.shard-*-of-$count.json.gz -o '$merged'")
echo "array job $array_id ($count shards), merge job $merge_id"
echo "merged document: $merged"
