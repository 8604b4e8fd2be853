#!/usr/bin/env bash
# Regenerates completions/ and docs/cmd/ from the clap tree and src/manifests/crds.json from
# the API types; with --check, fails when the committed files differ from what the current
# code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --bin tk
tk="${CARGO_TARGET_DIR:-target}/debug/tk"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/completions" "$out/docs/cmd"
for shell in bash zsh fish powershell elvish; do
  "$tk" completion "$shell" > "$out/completions/tk.$shell"
done
"$tk" docs "$out/docs/cmd"
"$tk" crds > "$out/crds.json"
if [[ "${1:-}" == "--check" ]]; then
  if ! diff -r completions "$out/completions" >/dev/null || ! diff -r docs/cmd "$out/docs/cmd" >/dev/null \
    || ! diff -q src/manifests/crds.json "$out/crds.json" >/dev/null; then
    diff -r completions "$out/completions" | head -20 || true
    diff -r docs/cmd "$out/docs/cmd" | head -20 || true
    diff src/manifests/crds.json "$out/crds.json" | head -20 || true
    echo "generated files are stale: run hack/generated.sh and commit completions/, docs/cmd/ and src/manifests/crds.json" >&2
    exit 1
  fi
  echo "generated files are up to date"
else
  rm -rf completions docs/cmd
  mkdir -p docs
  cp -r "$out/completions" completions
  cp -r "$out/docs/cmd" docs/cmd
  cp "$out/crds.json" src/manifests/crds.json
  echo "regenerated completions/, docs/cmd/ and src/manifests/crds.json"
fi
