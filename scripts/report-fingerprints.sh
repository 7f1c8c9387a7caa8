#!/usr/bin/env bash
# Writes the JSON, CSV and distribution outputs of every bundled scenario (plain, with the bundled stresses,
# importance-sampled, in bounded memory, and sharded then merged) with the timing fields removed, so that two
# builds can be compared number for number:
#
#   scripts/report-fingerprints.sh BEFORE_BINARY /tmp/before
#   scripts/report-fingerprints.sh .build/release/slashsim /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
#
# Used to check that a refactoring changes no number (issue 13); trials are kept small so the whole set runs in
# about a minute.
set -euo pipefail
bin=$(realpath "$1")
out=$2
cd "$(dirname "$0")/.."
mkdir -p "$out"
rm -f "$out"/*
trials=200000
strip() {
  # Timing, thread counts and the kernel level differ run to run and machine to machine; nothing else may.
  python3 -c '
import json, sys
def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items() if k not in ("elapsed_seconds", "pilot_seconds", "threads", "kernel_level")}
    if isinstance(x, list):
        return [clean(v) for v in x]
    return x
print(json.dumps(clean(json.load(sys.stdin)), indent=1, sort_keys=True))'
}
for file in Scenarios/*.yaml; do
  name=$(basename "$file" .yaml)
  "$bin" run "$file" --trials $trials --quiet --format json --distribution "$out/$name.dist.csv" | strip > "$out/$name.json"
  "$bin" run "$file" --trials $trials --quiet --format csv --no-contributions | grep -v -e elapsed -e threads > "$out/$name.csv"
  "$bin" run "$file" --trials $trials --quiet --format json --memory bounded --no-contributions | strip > "$out/$name.bounded.json"
  if "$bin" run "$file" --trials 20000 --quiet --format json --importance-sampling --no-contributions > "$out/$name.is.raw" 2>/dev/null; then
    strip < "$out/$name.is.raw" > "$out/$name.is.json"
  fi
  rm -f "$out/$name.is.raw"
  for i in 0 1 2; do
    "$bin" run "$file" --trials $trials --quiet --shard "$i/3" --output "$out/$name.part$i"
  done
  "$bin" merge "$out"/$name.part* --format json | strip > "$out/$name.merged.json"
  rm -f "$out"/$name.part*
done
"$bin" run Scenarios/three-lrts.yaml --trials $trials --quiet --format json \
  --stress Scenarios/stresses/cloud-outage.yaml --stress Scenarios/stresses/avs-bug.yaml | strip > "$out/three-lrts.stresses.json"
"$bin" run Scenarios/three-lrts.yaml --trials $trials --quiet --format text --no-contributions \
  --stress Scenarios/stresses/cloud-outage.yaml --stress Scenarios/stresses/avs-bug.yaml | grep -v -i -e elapsed -e "threads" -e "trials/s" -e "^BLAS:" > "$out/three-lrts.stresses.txt"
"$bin" sweep Scenarios/single-lrt.yaml --set 'operators[*].fault_probability=0.01,0.02' --trials 50000 --format json 2>/dev/null | strip > "$out/single-lrt.sweep.json"
ls "$out" | wc -l
