#!/usr/bin/env bash
# One long slashsim run as a requeueable Slurm job that survives preemption and time limits with a checkpoint.
#
#   sbatch docs/slurm-checkpointed.sh          # SCENARIO=… TRIALS=… sbatch … to override
#
# Slurm sends SIGTERM to the batch shell two minutes before the time limit (--signal=B:TERM@120), and on
# preemption (PreemptMode=REQUEUE) SIGTERM then, after the partition's GraceTime, SIGKILL. The shell passes
# SIGTERM on to slashsim, which finishes the batches in flight, writes run.ckpt and exits 75; the script then
# requeues the job, and the next allocation runs the same command, which goes on from the checkpoint. The
# report is the one an uninterrupted run writes, number for number; the checkpoint is removed after it.
#SBATCH --job-name=slashsim-long
#SBATCH --cpus-per-task=16
#SBATCH --mem=32G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --signal=B:TERM@120
#SBATCH --open-mode=append
#SBATCH --output=logs/slashsim-long.log
set -uo pipefail
SCENARIO=${SCENARIO:-Scenarios/three-lrts.yaml}
TRIALS=${TRIALS:-1e10}
mkdir -p logs results

slashsim run "$SCENARIO" --trials "$TRIALS" --threads "$SLURM_CPUS_PER_TASK" --quiet \
    --memory bounded --checkpoint results/run.ckpt --checkpoint-seconds 300 \
    --format json --output results/report.json &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM
wait "$pid"; status=$?
# A trapped signal ends the first `wait` early: wait for slashsim to write its checkpoint and exit.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done

if [ "$status" -eq 75 ]; then
    echo "checkpointed; requeueing job $SLURM_JOB_ID"
    scontrol requeue "$SLURM_JOB_ID"
    exit 0
fi
exit "$status"
