#!/bin/bash
# `tcpip-spec check --all` split over a Slurm job array, then one REPORT.md.
#
#   export RESULTS=/shared/tcpip-spec        # fill in: a directory every node can write
#   export TCPIP_SPEC=$PWD/target/release/tcpip-spec   # built with `cargo build --release`
#   jid=$(sbatch --parsable --array=1-3 deploy/slurm-check.sh)        # N = 3 shards
#   sbatch --dependency=afterany:"$jid" deploy/slurm-check.sh merge   # writes $RESULTS/REPORT.md
#
# Task I of an array 1-N runs shard I/N (N is the array's task count). Fill in the partition
# or account your site needs; --cpus-per-task is the checker's thread count. Every task must
# run the same binary: the split is computed from the REPORT.md built into it.
#SBATCH --job-name=tcpip-spec-check
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=01:00:00
#SBATCH --output=tcpip-spec-%A_%a.out
set -uo pipefail
: "${RESULTS:?set RESULTS to a directory on a filesystem every node shares}"
TCPIP_SPEC=${TCPIP_SPEC:-tcpip-spec}
mkdir -p "$RESULTS"

if [ "${1:-}" = merge ]; then
    "$TCPIP_SPEC" report --merge "$RESULTS"/shard-*.json --output "$RESULTS/REPORT.md"
    exit $?
fi

I=${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=1-N}
N=${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=1-N}
"$TCPIP_SPEC" check --all --shard "$I/$N" --threads "${SLURM_CPUS_PER_TASK:-1}" --json \
    > "$RESULTS/shard-$I.json.tmp"
status=$?
# 1 (a property not as expected) is a result: keep the JSON, the merge reports it.
[ "$status" -le 1 ] && mv "$RESULTS/shard-$I.json.tmp" "$RESULTS/shard-$I.json"
exit "$status"
