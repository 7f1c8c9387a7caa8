#!/usr/bin/env bash
# A sharded slashsim run as a Slurm array job: 16 shards of 1e9 trials, then one merge.
#
#   sbatch docs/slurm-array.sh                      # submits the shards
#   sbatch --dependency=afterok:<jobid> docs/slurm-merge.sh
#
# Every shard computes exactly its own batches of the run (same counter-based random streams), so the merged
# report equals a single-machine run of the same scenario, seed and trials, number for number.
#SBATCH --job-name=slashsim-shard
#SBATCH --array=0-15
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=logs/shard-%a.log
set -euo pipefail
SCENARIO=${SCENARIO:-Scenarios/three-lrts.yaml}
TRIALS=${TRIALS:-1e9}
mkdir -p parts logs
slashsim run "$SCENARIO" --trials "$TRIALS" --threads "$SLURM_CPUS_PER_TASK" \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" --output "parts/part-$SLURM_ARRAY_TASK_ID.slashsim" --quiet
