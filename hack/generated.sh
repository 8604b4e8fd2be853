#!/usr/bin/env bash
# Regenerates completions/ and docs/cmd/ from the clap tree; with --check, fails when the
# committed files differ from what the current code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --bin tk
tk=target/debug/tk
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/completions" "$out/docs/cmd"
for shell in bash zsh fish powershell elvish; do
  "$tk" completion "$shell" > "$out/completions/tk.$shell"
done
"$tk" docs "$out/docs/cmd"
if [[ "${1:-}" == "--check" ]]; then
  if ! diff -r completions "$out/completions" >/dev/null || ! diff -r docs/cmd "$out/docs/cmd" >/dev/null; then
    diff -r completions "$out/completions" | head -20 || true
    diff -r docs/cmd "$out/docs/cmd" | head -20 || true
    echo "generated files are stale: run hack/generated.sh and commit completions/ and docs/cmd/" >&2
    exit 1
  fi
  echo "generated files are up to date"
else
  rm -rf completions docs/cmd
  mkdir -p docs
  cp -r "$out/completions" completions
  cp -r "$out/docs/cmd" docs/cmd
  echo "regenerated completions/ and docs/cmd/"
fi
