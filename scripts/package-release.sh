#!/usr/bin/env bash
# Builds the release tarball: slashsim with the Swift runtime and Foundation linked in (--static-swift-stdlib),
# so that it needs only glibc, libstdc++ and the system BLAS/LAPACK (Debian: libblas3 + liblapack3, or
# libopenblas0) — no Swift toolchain. Also checks that the binary runs with the toolchain hidden.
#   bash scripts/package-release.sh [OUTDIR]      (default dist/)
# writes OUTDIR/slashsim-VERSION-linux-ARCH.tar.gz holding bin/slashsim, the man pages, the shell completions,
# the bundled scenarios, README.md and LICENSE. Install: tar xzf it anywhere and put its bin/ on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
scratch=.build-release-static
swift build -c release --product slashsim --static-swift-stdlib --scratch-path "$scratch" 2>&1 | grep -v "use of \`mktemp' is dangerous" || true
binary="$scratch/release/slashsim"
[ -x "$binary" ] || { echo "package-release: the build did not produce $binary" >&2; exit 1; }
version=$("$binary" --version)
name="slashsim-$version-linux-$(uname -m)"
stage=$(mktemp -d)
root="$stage/$name"
mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" \
         "$root/share/fish/vendor_completions.d" "$root/share/slashsim"
cp "$binary" "$root/bin/slashsim"
strip --strip-unneeded "$root/bin/slashsim"
if ldd "$root/bin/slashsim" | grep -q "libswift\|libFoundation\|libdispatch"; then
  echo "package-release: the binary still links Swift libraries dynamically:" >&2
  ldd "$root/bin/slashsim" >&2
  exit 1
fi
swift package generate-manual --multi-page >/dev/null
cp .build/plugins/GenerateManual/outputs/slashsim/*.1 "$root/share/man/man1/"
"$root/bin/slashsim" --generate-completion-script bash > "$root/share/bash-completion/completions/slashsim"
"$root/bin/slashsim" --generate-completion-script zsh > "$root/share/zsh/site-functions/_slashsim"
"$root/bin/slashsim" --generate-completion-script fish > "$root/share/fish/vendor_completions.d/slashsim.fish"
cp -R Scenarios "$root/share/slashsim/Scenarios"
cp README.md LICENSE "$root/"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
rm -rf "$stage"
echo "$out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1)): bin/slashsim needs $(ldd "$binary" | awk '/=>/ {print $1}' | grep -v "^libm\|^libc\.\|^libgcc\|^libopenblas\|^libgfortran\|^libquadmath" | tr '\n' ' ')"
