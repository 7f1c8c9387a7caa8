#!/usr/bin/env bash
# Quick start: install BLAS/LAPACK, build slashsim (release) and run the bundled default scenario.
# Extra arguments go to `slashsim run`, e.g. `bash scripts/quickstart.sh --format json`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
swift build -c release --product slashsim >&2
exec .build/release/slashsim run "$@"
