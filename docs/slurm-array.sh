#!/usr/bin/env bash
# A sharded slashsim run as a Slurm array job: 16 shards of 1e9 trials, then one merge.
#
#   sbatch docs/slurm-array.sh                      # submits the shards
#   sbatch --dependency=afterok:<jobid> docs/slurm-merge.sh
#
# Every shard computes exactly its own batches of the run (same counter-based random streams), so the merged
# report equals a single-machine run of the same scenario, seed and trials, number for number. Each shard
# keeps a checkpoint: a preempted or timed-out shard writes it, exits 75 and is requeued, and goes on from it
# (the pattern of docs/slurm-checkpointed.sh).
#SBATCH --job-name=slashsim-shard
#SBATCH --array=0-15
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=logs/shard-%a.log
#SBATCH --open-mode=append
#SBATCH --requeue
#SBATCH --signal=B:TERM@120
set -uo pipefail
SCENARIO=${SCENARIO:-Scenarios/three-lrts.yaml}
TRIALS=${TRIALS:-1e9}
mkdir -p parts logs
ID=$SLURM_ARRAY_TASK_ID
slashsim run "$SCENARIO" --trials "$TRIALS" --threads "$SLURM_CPUS_PER_TASK" --quiet \
    --shard "$ID/$SLURM_ARRAY_TASK_COUNT" --output "parts/part-$ID.slashsim" --checkpoint "parts/part-$ID.ckpt" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM
wait "$pid"; status=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
if [ "$status" -eq 75 ]; then
    scontrol requeue "${SLURM_ARRAY_JOB_ID}_${ID}"   # checkpointed: go on in the next allocation
    exit 0
fi
exit "$status"
