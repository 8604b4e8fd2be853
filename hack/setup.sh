#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine: Debian packages, Rust
# components, and the Go-built control plane and reference kustomize/helm (built once
# into ~/.cache/tk-rig).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git ca-certificates curl openssh-server gnupg libssl-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: cargo is missing: install Rust with rustup" >&2; exit 1; }
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

echo "setup: building the test rig (first run: several minutes)" >&2
hack/rig-build.sh >/dev/null
