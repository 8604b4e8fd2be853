#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine: Debian packages, Rust
# components, and the Go-built control plane and reference kustomize/helm (built once
# into ~/.cache/tk-rig).
set -euo pipefail
cd "$(dirname "$0")/.."

# prometheus: the canary tests' metrics server (testenv::prometheus runs its own instance on
# a free loopback port; the package's service, if the init system starts it, is on :9090
# and unused). Its postinst starts nothing when there is no systemd and no runlevel.
packages=(git ca-certificates curl openssh-server gnupg libssl-dev pkg-config prometheus)
# Installed without their Recommends: prometheus recommends node-exporter and a score of
# hardware tools (smartmontools, ipmitool, nvme-cli...) the tests never use.
no_recommends=(prometheus)
missing=()
missing_lean=()
for p in "${packages[@]}"; do
  # Not `dpkg -s`: it succeeds for a removed package whose config files remain.
  [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] && continue
  if [[ " ${no_recommends[*]} " == *" $p "* ]]; then missing_lean+=("$p"); else missing+=("$p"); fi
done
if (( ${#missing[@]} + ${#missing_lean[@]} )); then
  echo "setup: installing ${missing[*]} ${missing_lean[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  if (( ${#missing[@]} )); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
  fi
  if (( ${#missing_lean[@]} )); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing_lean[@]}"
  fi
fi

command -v cargo >/dev/null || { echo "setup: cargo is missing: install Rust with rustup" >&2; exit 1; }
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

echo "setup: building the test rig (first run: several minutes)" >&2
hack/rig-build.sh >/dev/null
