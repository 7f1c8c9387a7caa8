#!/usr/bin/env bash
# CI: builds the release tarball (scripts/package-release.sh), unpacks it, and runs its binary with the Swift
# toolchain hidden (a private mount namespace with an empty tmpfs over the toolchain's folder, and PATH and
# LD_LIBRARY_PATH without it): --version, the bundled default scenario, validate, the same JSON report
# number for number as the tested build (timing fields aside), and SIGTERM/SIGINT handling.
#   bash scripts/check-release.sh [TESTED_BINARY]     (default .build/debug/slashsim)
set -euo pipefail
cd "$(dirname "$0")/.."
tested=$(realpath "${1:-.build/debug/slashsim}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/package-release.sh "$work/dist"
tar -C "$work" -xzf "$work"/dist/slashsim-*.tar.gz
unpacked=$(echo "$work"/slashsim-*-linux-*/bin/slashsim)
toolchain=$(dirname "$(dirname "$(dirname "$(realpath "$(command -v swift)")")")")
# The same clean environment as the tarball's run below (variables such as OPENBLAS_CORETYPE change the BLAS kernel named in the report).
env -i PATH=/usr/local/sbin:/usr/sbin:/sbin:/bin:/usr/bin HOME="$HOME" "$tested" run Scenarios/three-lrts.yaml --trials 20000 --format json --quiet --output "$work/tested.json"
cat > "$work/inside.sh" <<EOF
set -euo pipefail
mount -t tmpfs none "$toolchain"
if command -v swift >/dev/null 2>&1 || [ -n "\$(ls -A "$toolchain")" ]; then echo "the toolchain is still visible" >&2; exit 1; fi
"$unpacked" --version
"$unpacked" run --trials 20000 --quiet > "$work/default.txt"
"$unpacked" validate Scenarios/*.yaml Scenarios/stresses/*.yaml
"$unpacked" run Scenarios/three-lrts.yaml --trials 20000 --format json --quiet --output "$work/release.json"
# Signals on the optimised build (the suite's signal tests run the debug build): SIGTERM and SIGINT stop a
# plain run with 143 and 130, and SIGTERM makes a checkpointed run write its checkpoint and exit 75.
signal_check() {  # SIGNAL EXPECTED_STATUS EXPECTED_TEXT [ARGUMENTS...]
  local signal=\$1 expected=\$2 text=\$3; shift 3
  "$unpacked" run --trials 1e9 --quiet "\$@" > /dev/null 2> "$work/signal.txt" &
  local pid=\$! status=0
  sleep 1
  kill -\$signal \$pid
  wait \$pid || status=\$?
  if [ "\$status" != "\$expected" ] || ! grep -q "\$text" "$work/signal.txt"; then
    echo "check-release: \$signal \$*: exit \$status (expected \$expected)" >&2; cat "$work/signal.txt" >&2; exit 1
  fi
}
signal_check TERM 143 "interrupted by SIGTERM; stopped"
signal_check INT 130 "interrupted by SIGINT; stopped"
signal_check TERM 75 "checkpoint written to" --checkpoint "$work/run.ckpt" --output "$work/never.json"
test -s "$work/run.ckpt"
EOF
env -i PATH=/usr/local/sbin:/usr/sbin:/sbin:/bin:/usr/bin HOME="$HOME" unshare --mount bash "$work/inside.sh"
python3 - "$work/tested.json" "$work/release.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for report in (a, b):
    for key in ("elapsed_seconds", "scenario_file"):
        report.pop(key, None)
if a != b:
    differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    sys.exit(f"check-release: the tarball's report differs from the tested build's in {differing}")
print("check-release: the tarball's binary runs without the toolchain and gives the tested build's report number for number")
PY
grep -q "trials" "$work/default.txt"
