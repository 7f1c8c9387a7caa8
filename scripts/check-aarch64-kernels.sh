#!/usr/bin/env bash
# Compiles the C kernels for aarch64 (Graviton, Apple Silicon under Linux), warnings as errors: the generic
# kernels must build, and vectorise, where the x86 intrinsics do not exist. Installs Debian's arm64 C
# library headers if they are missing; uses the Swift toolchain's clang.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d /usr/aarch64-linux-gnu/include ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libc6-dev-arm64-cross >/dev/null
fi
clang=$(command -v clang || echo /opt/swift/usr/bin/clang)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for file in Sources/CKernels/*.c; do
  "$clang" --target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include \
    -O2 -Wall -Wextra -Werror -ISources/CKernels/include -c "$file" -o "$out/$(basename "$file").o"
done
echo "C kernels compile for aarch64 ($(ls "$out" | wc -l) files, $("$clang" --version | head -1))"
