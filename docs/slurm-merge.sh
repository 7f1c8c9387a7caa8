#!/usr/bin/env bash
# Merges the parts of docs/slurm-array.sh into one report (JSON), its distribution (CSV) and a plot.
#SBATCH --job-name=slashsim-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=16G
#SBATCH --time=00:30:00
set -euo pipefail
slashsim merge parts/part-*.slashsim --format json --output report.json --distribution distribution.csv --plot exceedance.svg
