#!/usr/bin/env bash
# `tk kustomize build` against the reference `kustomize build` v5.5.0 (hack/rig-build.sh
# --kustomize) and `kubectl kustomize` (if kubectl is installed), on the same generated tree:
# a base of 4 000 mixed objects (~1.4 MB of YAML) under an overlay with a namePrefix, a
# namespace, labels, annotations, an image override, strategic merge and JSON 6902 patches
# (the tree of `cargo bench -p kustomize --bench build`, build/large_4000). Checks the three
# outputs are identical, then times them with hyperfine and reports each one's peak RSS with
# /usr/bin/time -v. Needs hyperfine and GNU time (Debian packages hyperfine, time).
#
#   benches/kustomize_vs_kubectl.sh
#   KUSTOMIZE_BENCH_OBJECTS=400 benches/kustomize_vs_kubectl.sh      a smaller tree
#   BENCH_RUNS=10 benches/kustomize_vs_kubectl.sh                    more runs (default 3)
#   BENCH_TK=target/release/tk benches/kustomize_vs_kubectl.sh       this tk, no cargo build
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${BENCH_RUNS:-3}"

for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "kustomize_vs_kubectl: $tool is missing (apt-get install hyperfine time)" >&2; exit 1; }
done

if [[ -n "${BENCH_TK:-}" ]]; then
  tk=$(realpath "$BENCH_TK")
else
  cargo build --release --bin tk
  tk="$PWD/target/release/tk"
fi
kustomize=$(hack/rig-build.sh --kustomize)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo bench -q -p kustomize --bench build -- --write-tree "$work/tree"
echo "input: $(cat "$work"/tree/base/objects-*.yaml | wc -c) bytes of YAML in $(ls "$work"/tree/base/objects-*.yaml | wc -l) files"

names=("tk kustomize build" "kustomize build ($("$kustomize" version))")
commands=("$tk kustomize build --root $work/tree $work/tree/overlay" "$kustomize build $work/tree/overlay")
if command -v kubectl >/dev/null; then
  names+=("kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'))")
  commands+=("kubectl kustomize $work/tree/overlay")
fi

# One run of each under GNU time: the output (it must be the same bytes: a fast wrong answer
# is no answer) and the peak RSS. kustomize needs over a minute for the 4 000-object tree on
# the 2-core development machines, so hyperfine then runs each command only BENCH_RUNS times.
declare -a rss
for i in "${!commands[@]}"; do
  /usr/bin/time -v -o "$work/time-$i.txt" ${commands[$i]} > "$work/out-$i.yaml"
  rss[$i]=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$i.txt")
done
for i in "${!commands[@]}"; do
  if ! cmp -s "$work/out-0.yaml" "$work/out-$i.yaml"; then
    echo "kustomize_vs_kubectl: ${names[$i]} prints something else than ${names[0]}:" >&2
    diff "$work/out-$i.yaml" "$work/out-0.yaml" | head -20 >&2
    exit 1
  fi
done
echo "output: $(wc -c < "$work/out-0.yaml") bytes, identical from all ${#commands[@]} tools"

args=(-N --warmup 0 --runs "$runs" --export-markdown "$work/hyperfine.md")
for i in "${!commands[@]}"; do
  args+=(-n "${names[$i]}" "${commands[$i]}")
done
hyperfine "${args[@]}"
cat "$work/hyperfine.md"

echo
echo "| Command | Peak RSS (MiB) |"
echo "|:---|---:|"
for i in "${!commands[@]}"; do
  awk -v name="${names[$i]}" -v kb="${rss[$i]}" 'BEGIN { printf "| %s | %.1f |\n", name, kb / 1024 }'
done
