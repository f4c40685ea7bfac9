#!/usr/bin/env bash
# A real one-node Slurm cluster on localhost (slurmctld, slurmd, munge; two fake GPUs for --gres) runs a
# sweep as a job array of dry-run shards and a merge job that depends on it; then a shard is cancelled
# mid-run and resubmitted alone. Checks: the shards cover the plan exactly, the merge ran after them, and
# the resubmitted shard completes the plan. Tears the cluster down however it ends.
# Usage: tests/slurm/test_slurm.sh SCBENCH_BINARY. Exit 77 (skipped) where it cannot run.
set -uo pipefail
scbench="$(realpath "$1")"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
skip() { echo "SKIPPED: $*"; exit 77; }
[ -n "${CI:-}${SCBENCH_SLURM_TEST:-}" ] || skip "starts system daemons; runs in CI, or with SCBENCH_SLURM_TEST=1"
[ "$(id -u)" -eq 0 ] || skip "needs root to start munged, slurmctld and slurmd"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client \
      slurm-wlm-basic-plugins munge >/dev/null; } 2>&1 | tail -2
  command -v slurmctld >/dev/null && command -v munged >/dev/null || skip "the Slurm and munge packages could not be installed"
fi

dir="$(mktemp -d /tmp/scbench-slurm.XXXXXX)"
chmod 755 "$dir"
stop() {
  local pidfiles=("$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid")
  for pidfile in "${pidfiles[@]}"; do [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; done
  sleep 1
  for pidfile in "${pidfiles[@]}"; do [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null; done
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 143' TERM INT  # so that a killed test still stops its daemons (the EXIT trap runs)
fail() {
  echo "FAILED: $*"
  for log in slurmctld.log slurmd.log; do echo "--- $log"; tail -20 "$dir/$log" 2>/dev/null; done
  exit 1
}
wait_for() {  # wait_for SECONDS COMMAND...: until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $deadline ] && return 1; sleep 1; done
}

# munge, as its own user, with its pid file in a folder it may write
mkdir -p /run/munge "$dir/munge" && chown munge:munge /run/munge "$dir/munge"
runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid" || fail "munged did not start"
wait_for 10 test -s "$dir/munge/munged.pid" || fail "munged wrote no pid file"
munge -n | unmunge >/dev/null || fail "munge does not work"

host="$(hostname -s)"
mknod "$dir/gpu0" c 1 3 && mknod "$dir/gpu1" c 1 3  # fake GPUs: gres needs character devices
mkdir -p "$dir/state" "$dir/spool"
cat > "$dir/slurm.conf" <<CONF
ClusterName=scbenchtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
ReturnToService=2
GresTypes=gpu
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1024 Gres=gpu:2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
echo "Name=gpu File=$dir/gpu[0-1]" > "$dir/gres.conf"
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
wait_for 60 bash -c '[ "$(sinfo -h -o %t | head -1)" = idle ]' || fail "the node did not become idle: $(sinfo -h)"

sweep="$repo/configs/quick.yaml"
planned=$("$scbench" run "$sweep" --dry-run | head -1 | sed -E 's/.*: ([0-9]+) cases.*/\1/')
[ -n "$planned" ] || fail "no plan"
out="$dir/out"
mkdir -p "$out"
export SCBENCH="$scbench" SCBENCH_ARGS="--dry-run"

# 1. Four shards and a merge that waits for them.
submitted=$(bash "$repo/scripts/slurm/submit.sh" "$sweep" 4 "$out") || fail "submit.sh failed"
echo "$submitted"
merged="$out/quick.json.gz"
wait_for 180 test -f "$merged" || fail "no merged document after 180 s: $(squeue -h)"
wait_for 30 bash -c '[ -z "$(squeue -h)" ]' || fail "jobs left: $(squeue -h)"
for i in 1 2 3 4; do
  [ -f "$out/quick.shard-$i-of-4.json.gz" ] || fail "shard $i wrote nothing"
  [ "$out/quick.shard-$i-of-4.json.gz" -ot "$merged" ] || fail "the merge ran before shard $i finished"
done
grep -q "complete: all $planned planned cases" "$out"/slurm-merge-*.out || fail "the merge is not complete: $(cat "$out"/slurm-merge-*.out)"
total=$(python3 -c "import gzip,json,sys; print(len(json.load(gzip.open(sys.argv[1]))['results']))" "$merged")
[ "$total" = "$planned" ] || fail "merged $total cases, the plan has $planned"
echo "array of 4 shards: $planned cases merged, each once"

# 2. A shard cancelled mid-run is resubmitted alone and completes the plan.
rm -rf "$out"; mkdir -p "$out"
printf '#!/usr/bin/env bash\nsleep 20\nexec %q "$@"\n' "$scbench" > "$dir/slow-scbench"
chmod +x "$dir/slow-scbench"
export SCBENCH="$dir/slow-scbench"
array=$(sbatch --parsable --array=0-2 --output="$out/slurm-%A_%a.out" "$repo/scripts/slurm/scbench-array.sbatch" "$sweep" "$out")
wait_for 60 bash -c "squeue -h -j ${array}_1 -t R | grep -q ." || fail "task 1 never ran"
scancel "${array}_1"
wait_for 90 bash -c '[ -z "$(squeue -h)" ]' || fail "jobs left: $(squeue -h)"
[ -f "$out/quick.shard-2-of-3.json.gz" ] && fail "the cancelled shard wrote its document"
"$scbench" merge "$out"/quick.shard-*-of-3.json.gz -o "$out/partial.json.gz" > "$out/partial.log"
[ $? -eq 1 ] && grep -q "missing:" "$out/partial.log" || fail "the merge did not see the missing shard"
export SCBENCH="$scbench"
SCBENCH_SHARDS=3 sbatch --parsable --array=1 --output="$out/slurm-retry-%A_%a.out" \
  "$repo/scripts/slurm/scbench-array.sbatch" "$sweep" "$out" >/dev/null
wait_for 60 test -f "$out/quick.shard-2-of-3.json.gz" || fail "the resubmitted shard wrote nothing"
"$scbench" merge "$out"/quick.shard-*-of-3.json.gz -o "$out/all.json.gz" | grep -q "complete: all $planned" ||
  fail "the plan is not complete after the resubmission"
echo "a cancelled shard, resubmitted alone, completed the plan"
