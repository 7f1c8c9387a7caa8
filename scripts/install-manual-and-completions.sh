#!/usr/bin/env bash
# Installs slashsim's man page (ArgumentParser's generate-manual plugin) and its shell completions
# (bash, zsh, fish) under PREFIX (default ~/.local):
#   bash scripts/install-manual-and-completions.sh [PREFIX]
# then `man slashsim` (with PREFIX/share/man on MANPATH) and tab completion in a new shell.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-$HOME/.local}
swift build -c release --product slashsim
binary=.build/release/slashsim
swift package generate-manual --multi-page
mkdir -p "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
         "$prefix/share/fish/vendor_completions.d"
cp .build/plugins/GenerateManual/outputs/slashsim/*.1 "$prefix/share/man/man1/"
"$binary" --generate-completion-script bash > "$prefix/share/bash-completion/completions/slashsim"
"$binary" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_slashsim"
"$binary" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/slashsim.fish"
echo "man pages in $prefix/share/man/man1 ($(ls .build/plugins/GenerateManual/outputs/slashsim/*.1 | wc -l) pages); completions for bash, zsh and fish under $prefix/share"
