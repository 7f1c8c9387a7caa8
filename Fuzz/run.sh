#!/usr/bin/env bash
# Builds the libFuzzer targets (coverage instrumentation and AddressSanitizer, release) and runs each for a
# bounded time on its seeds: scenarios, stress files, CSV and .npy tables, part files, checkpoints. Fails on
# any crash, trap, leak, timeout (10 s per input) or out-of-memory (4 GiB) — the input is kept and printed.
#   bash Fuzz/run.sh [SECONDS_PER_TARGET]        (default 20; CI uses 10)
# The random seed is fixed (FUZZ_SEED, default 1) so that a CI run is reproducible; vary it to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
# Coverage for libFuzzer and AddressSanitizer in every Swift module; libFuzzer without its `main` (SwiftPM
# makes `<target>_main` the entry point, which hands the target to LLVMFuzzerRunDriver). -enable-testing:
# the table parsers are internal to ScenarioFormat.
nomain=$(dirname "$(swiftc -print-target-info >/dev/null 2>&1; command -v swiftc)")/../lib/clang
nomain=$(ls "$nomain"/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a | head -1)
swift build --package-path Fuzz -c release -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xswiftc -parse-as-library -Xswiftc -enable-testing -Xlinker "$nomain" -Xlinker -lstdc++
bin=Fuzz/.build/release
# Swift's crash backtracer reads memory in a way AddressSanitizer reports as a second error: libFuzzer and
# ASan print the stack of a crash themselves.
export SWIFT_BACKTRACE=enable=no
work=$(mktemp -d /tmp/slashsim-fuzz.XXXXXX)
mkdir -p "$work/seeds-parts" "$work/seeds-checkpoints" "$work/seeds-npy"
"$bin/PartFuzzer" --write-seeds "$work/seeds-parts"
"$bin/CheckpointFuzzer" --write-seeds "$work/seeds-checkpoints"
cp Tests/SlashingRiskTests/Fixtures/npy/*.npy "$work/seeds-npy/"
declare -A seeds=(
  [ScenarioFuzzer]="Scenarios"
  [StressFuzzer]="Scenarios/stresses"
  [CSVFuzzer]="Fuzz/seeds/csv"
  [NumPyFuzzer]="$work/seeds-npy"
  [PartFuzzer]="$work/seeds-parts"
  [CheckpointFuzzer]="$work/seeds-checkpoints"
)
failed=0
for target in ScenarioFuzzer StressFuzzer CSVFuzzer NumPyFuzzer PartFuzzer CheckpointFuzzer; do
  mkdir -p "$work/corpus-$target"
  log="$work/$target.log"
  if "$bin/$target" "$work/corpus-$target" "${seeds[$target]}" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=4096 \
       -artifact_prefix="$work/$target-" -print_final_stats=1 > "$log" 2>&1; then
    echo "$target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs in ${seconds} s, no crash"
  else
    echo "$target: FAILED"; tail -40 "$log"; ls "$work/$target-"* 2>/dev/null || true
    failed=1
  fi
done
[ "$failed" -eq 0 ] && rm -rf "$work"
exit "$failed"
