#!/usr/bin/env bash
# Whole-process timings of the commands that must start and finish in under 10 ms, over
# repeated runs, and the release binary's size. Needs hyperfine (Debian package).
#   benches/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin tk
tk=target/release/tk
echo "binary: $(du -b "$tk" | cut -f1) bytes ($(du -h "$tk" | cut -f1))"
hyperfine --warmup 20 --runs 300 -N \
  "$tk version --client" \
  "$tk install --export"
