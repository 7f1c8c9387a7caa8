#!/usr/bin/env bash
# Installs the system libraries slashsim links against: BLAS and LAPACK (Debian/Ubuntu).
# libblas-dev/liblapack-dev give the reference implementation; libopenblas-dev adds OpenBLAS, which
# update-alternatives then selects for libblas.so.3/liblapack.so.3 (no rebuild needed to switch).
set -euo pipefail
packages=(libblas-dev liblapack-dev libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} (apt-get)..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
