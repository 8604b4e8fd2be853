#!/usr/bin/env bash
# Builds the test rig's binaries from the Go module proxy into a cache outside the
# repository, keyed by version. Idempotent: a complete cache is reused.
#
#   hack/rig-build.sh              build (or reuse) everything; print the control-plane bin directory
#   hack/rig-build.sh --kustomize  build (or reuse) only the reference kustomize CLI; print its path
#   hack/rig-build.sh --helm       build (or reuse) only the reference helm CLI; print its path
#   hack/rig-build.sh --registry   build (or reuse) only the OCI registry (distribution); print its path
#   hack/rig-build.sh --s3         build (or reuse) only the S3 server (versitygw); print its path
#   hack/rig-build.sh --mesh-crds  download (or reuse) the traffic routers' published CRDs (Gateway
#                                  API, Istio, SMI TrafficSplit); print the directory holding them
#
# Versions are pinned here; crates/testenv reads the same file through TK_RIG_BIN or
# the default cache path printed by this script. The reference kustomize (the differential
# tests and benches of crates/kustomize) is found through TK_KUSTOMIZE_BIN or
# `hack/rig-build.sh --kustomize`; the reference helm (crates/helm/tests/differential.rs)
# through TK_HELM_BIN or `hack/rig-build.sh --helm`; the OCI registry (crates/testenv's
# registry module, the HelmChart-from-OCI tests) through TK_REGISTRY_BIN or
# `hack/rig-build.sh --registry`; the S3 server (crates/testenv's s3 module, the Bucket
# source tests) through TK_S3_BIN or `hack/rig-build.sh --s3`; the canary routers' CRDs
# (crates/testenv's mesh module) through TK_MESH_CRDS or `hack/rig-build.sh --mesh-crds`.
set -euo pipefail

K8S_VERSION="${TK_RIG_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${TK_RIG_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${TK_RIG_KWOK_VERSION:-v0.7.0}"
# The kustomize our engine (crates/kustomize) follows; kubectl 1.32-1.34 embed the same.
KUSTOMIZE_VERSION="${TK_RIG_KUSTOMIZE_VERSION:-v5.5.0}"
# The helm our renderer (crates/helm) follows: the v3 tag the Helm issue pins (tests/corpus/helm
# copies v3.21.4, the newest tag in its snapshot; the differential test checks against this one).
HELM_VERSION="${TK_RIG_HELM_VERSION:-v3.22.0}"
# The OCI registry charts are pushed to and pulled from (CNCF Distribution, what Docker Hub
# and GHCR descend from); its released go.mod has no replace lines.
REGISTRY_VERSION="${TK_RIG_REGISTRY_VERSION:-v3.1.2}"
# The S3-compatible server Buckets are fetched from (Versity Gateway over a plain directory);
# it checks SigV4 as strictly as AWS does, and its released go.mod has no replace lines.
S3_VERSION="${TK_RIG_S3_VERSION:-v1.8.0}"
# The CRDs the canary routers write to, as published in these Go modules (downloaded, never built).
# Gateway API standard channel (config/crd/standard); v1.7.0 needs a newer Go than the rig's.
GATEWAY_API_VERSION="${TK_RIG_GATEWAY_API_VERSION:-v1.6.3}"
# Istio's generated CRDs (kubernetes/customresourcedefinitions.gen.yaml in istio.io/api).
ISTIO_API_VERSION="${TK_RIG_ISTIO_API_VERSION:-v1.32.0}"
# SMI TrafficSplit: the apiextensions.k8s.io/v1 CRD Open Service Mesh ships (its last release;
# cmd/osm-bootstrap/crds/smi_traffic_split.yaml, v1alpha2 served). The SMI SDK's own
# (github.com/servicemeshinterface/smi-sdk-go v0.5.0, the only version served) is still
# apiextensions.k8s.io/v1beta1, which Kubernetes stopped serving in 1.22.
OSM_VERSION="${TK_RIG_OSM_VERSION:-v1.2.4}"

cache_root="${TK_RIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tk-rig}"

# go_tool NAME VERSION GO_MIN PACKAGE LDFLAGS_FN [VERSION_ARG]: builds (or reuses) a reference
# CLI from the Go module proxy into the rig cache and prints its path. `LDFLAGS_FN DIR` prints
# the -ldflags (DIR is the tool's cache directory, for `go mod download`). VERSION_ARG (default
# `version`) is what makes the built binary print its version, as a smoke test.
go_tool() {
  local name=$1 version=$2 go_min=$3 package=$4 ldflags_fn=$5 version_arg=${6:-version}
  local dir="$cache_root/$name-$version"
  local exe="$dir/bin/$name"
  if [[ -x "$exe" ]]; then
    echo "$exe"
    return 0
  fi
  command -v go >/dev/null || { echo "rig-build: the go command is needed to build $name (install Go >= $go_min)" >&2; return 1; }
  mkdir -p "$dir"
  (
    exec 8>"$dir/.lock"
    flock 8
    if [[ ! -x "$exe" ]]; then
      echo "rig-build: building $name $version" >&2
      local ldflags tmp
      ldflags=$("$ldflags_fn" "$dir") || exit 1
      # Built into a scratch GOBIN and moved in place, so a half-written binary is never used.
      tmp=$(mktemp -d "$dir/gobin.XXXXXX")
      (cd "$dir" && GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}" \
        go install -trimpath -ldflags "$ldflags" "$package@$version" >&2)
      mkdir -p "$dir/bin"
      mv "$tmp/$name" "$exe"
      rm -rf "$tmp"
      "$exe" "$version_arg" >&2
    fi
  )
  echo "$exe"
}

# --- kustomize: `go install` works as is (its released go.mod has no replace lines) -----
kustomize_ldflags() {
  echo "-s -w -X sigs.k8s.io/kustomize/api/provenance.version=$KUSTOMIZE_VERSION" \
    "-X sigs.k8s.io/kustomize/api/provenance.buildDate=1970-01-01T00:00:00Z"
}

build_kustomize() {
  go_tool kustomize "$KUSTOMIZE_VERSION" 1.22 sigs.k8s.io/kustomize/kustomize/v5 kustomize_ldflags
}

# --- helm: `go install` works as is (no replace lines); the ldflags are the Makefile's ---
# A plain `go install` would report version v3.22 (the source default) and Kubernetes
# v1.20.0 (chartutil's default for `go test`); the Makefile stamps the tag and the client-go
# minor, which is what `.Capabilities` shows in released binaries, so this does the same.
helm_ldflags() {
  # The Makefile takes the Kubernetes version from `go list -m k8s.io/client-go`:
  # client-go v0.X.Y is Kubernetes v1.X.
  local info gomod client_go
  info=$(cd "$1" && go mod download -json "helm.sh/helm/v3@$HELM_VERSION") || return 1
  gomod=$(sed -n 's/.*"GoMod": "\(.*\)",*/\1/p' <<<"$info")
  client_go=$(sed -n 's#^\s*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$gomod")
  [[ -n "$client_go" ]] || { echo "rig-build: no k8s.io/client-go in $gomod" >&2; return 1; }
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.metadata="
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$client_go"
  done
  echo "$ldflags"
}

build_helm() {
  go_tool helm "$HELM_VERSION" 1.25 helm.sh/helm/v3/cmd/helm helm_ldflags
}

# --- registry: `go install` works as is; the version is the one its Makefile stamps ------
registry_ldflags() {
  echo "-s -w -X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION"
}

build_registry() {
  go_tool registry "$REGISTRY_VERSION" 1.26 \
    github.com/distribution/distribution/v3/cmd/registry registry_ldflags --version
}

# --- s3: `go install` works as is; the version is the one its Makefile stamps ------------
# (The Makefile also stamps the commit and build time; a module download has neither.)
s3_ldflags() {
  echo "-s -w -X main.Version=$S3_VERSION"
}

build_s3() {
  go_tool versitygw "$S3_VERSION" 1.25 github.com/versity/versitygw/cmd/versitygw s3_ldflags --version
}

# --- mesh CRDs: files copied out of `go mod download`ed modules, nothing built ----------
# Layout: gateway-api/*.yaml (the standard channel as published, including its
# ValidatingAdmissionPolicy), istio/customresourcedefinitions.gen.yaml, smi/smi_traffic_split.yaml.
fetch_mesh_crds() {
  local dir="$cache_root/mesh-crds_gateway-api-${GATEWAY_API_VERSION}_istio-api-${ISTIO_API_VERSION}_osm-${OSM_VERSION}"
  if [[ -f "$dir/.complete" ]]; then
    echo "$dir"
    return 0
  fi
  command -v go >/dev/null || { echo "rig-build: the go command is needed to download the mesh CRDs" >&2; return 1; }
  mkdir -p "$dir"
  (
    exec 8>"$dir/.lock"
    flock 8
    [[ -f "$dir/.complete" ]] && exit 0
    echo "rig-build: downloading the mesh CRDs (gateway-api $GATEWAY_API_VERSION, istio api $ISTIO_API_VERSION, osm $OSM_VERSION)" >&2
    # module_dir MODULE@VERSION: the module's extracted (read-only) directory in the module cache.
    module_dir() {
      local info src
      info=$(cd "$dir" && go mod download -json "$1") || { echo "rig-build: go mod download $1 failed" >&2; return 1; }
      src=$(sed -n 's/.*"Dir": "\(.*\)",*/\1/p' <<<"$info")
      [[ -d "$src" ]] || { echo "rig-build: go mod download $1 gave no directory: $info" >&2; return 1; }
      echo "$src"
    }
    # need FILE PATTERN WHAT: fails unless FILE has a line matching PATTERN.
    need() {
      grep -qE "$2" "$1" || { echo "rig-build: $1 has no $3" >&2; return 1; }
    }
    local gw istio osm tmp
    gw=$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION") || exit 1
    istio=$(module_dir "istio.io/api@$ISTIO_API_VERSION") || exit 1
    osm=$(module_dir "github.com/openservicemesh/osm@$OSM_VERSION") || exit 1
    # Assembled in a scratch directory and moved in place, so a half-copied set is never used.
    tmp=$(mktemp -d "$dir/tmp.XXXXXX")
    mkdir -p "$tmp/gateway-api" "$tmp/istio" "$tmp/smi"
    cp "$gw"/config/crd/standard/*.yaml "$tmp/gateway-api/"
    cp "$istio/kubernetes/customresourcedefinitions.gen.yaml" "$tmp/istio/"
    cp "$osm/cmd/osm-bootstrap/crds/smi_traffic_split.yaml" "$tmp/smi/"
    # The module cache is read-only; the copies must stay removable.
    chmod -R u+w "$tmp"
    local route="$tmp/gateway-api/gateway.networking.k8s.io_httproutes.yaml"
    need "$route" '^  name: httproutes\.gateway\.networking\.k8s\.io$' "HTTPRoute CRD" || exit 1
    need "$route" '^    name: v1$' "HTTPRoute version v1" || exit 1
    local istio_crds="$tmp/istio/customresourcedefinitions.gen.yaml"
    need "$istio_crds" '^  name: virtualservices\.networking\.istio\.io$' "VirtualService CRD" || exit 1
    need "$istio_crds" '^  name: destinationrules\.networking\.istio\.io$' "DestinationRule CRD" || exit 1
    local split="$tmp/smi/smi_traffic_split.yaml"
    need "$split" '^  name: trafficsplits\.split\.smi-spec\.io$' "TrafficSplit CRD" || exit 1
    need "$split" '^apiVersion: apiextensions\.k8s\.io/v1$' "apiextensions.k8s.io/v1 CRD" || exit 1
    for sub in gateway-api istio smi; do
      rm -rf "${dir:?}/$sub"
      mv "$tmp/$sub" "$dir/$sub"
    done
    rmdir "$tmp"
    touch "$dir/.complete"
  ) || return 1
  echo "$dir"
}

case "${1:-}" in
  --kustomize) build_kustomize; exit 0 ;;
  --helm) build_helm; exit 0 ;;
  --registry) build_registry; exit 0 ;;
  --s3) build_s3; exit 0 ;;
  --mesh-crds) fetch_mesh_crds; exit 0 ;;
esac
build_kustomize >/dev/null
build_helm >/dev/null
build_registry >/dev/null
build_s3 >/dev/null
fetch_mesh_crds >/dev/null

key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
bin="$cache_root/$key/bin"
stamp="$cache_root/$key/.complete"

if [[ -f "$stamp" ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "rig-build: the go command is needed to build the rig (install Go >= 1.24)" >&2; exit 1; }
mkdir -p "$bin"
# Test processes run in parallel and each may call this script; one builds, the rest wait
# and then take the fast path.
exec 9>"$cache_root/$key/.lock"
if ! flock -n 9; then
  echo "rig-build: waiting for another build of $key to finish" >&2
  flock 9
fi
if [[ -f "$stamp" ]]; then
  echo "$bin"
  exit 0
fi
work="$cache_root/$key/src"
mkdir -p "$work"
log() { echo "rig-build: $*" >&2; }

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

# --- kubernetes: a wrapper module pinning every staging module -------------------------
k8s_minor="${K8S_VERSION#v1.}"; k8s_minor="${k8s_minor%%.*}"
staging_version="v0.${K8S_VERSION#v1.}"
kmod="$work/kube"
mkdir -p "$kmod"
if [[ ! -f "$bin/kube-apiserver" || ! -f "$bin/kube-controller-manager" || ! -f "$bin/kube-scheduler" ]]; then
  log "resolving k8s.io/kubernetes@$K8S_VERSION"
  modfile=$(cd "$kmod" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  [[ -f "$modfile" ]] || { log "could not download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
  {
    echo "module tk.dev/rig/kube"
    echo
    echo "go $(sed -n 's/^go \(.*\)/\1/p' "$modfile")"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging_version"'#p' "$modfile"
    echo ")"
  } > "$kmod/go.mod"
  cat > "$kmod/tools.go" <<'GO'
//go:build tools

package rig

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  log "go mod tidy for the kubernetes wrapper (downloads dependencies)"
  (cd "$kmod" && go mod tidy -e >&2)
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    if [[ ! -f "$bin/$cmd" ]]; then
      log "building $cmd $K8S_VERSION (a cold build takes several minutes)"
      (cd "$kmod" && go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" >&2)
      mv "$bin/$cmd.tmp" "$bin/$cmd"
    fi
  done
fi

# --- etcd and kwok: wrapper modules, since their go.mod files carry replace lines -------
# build_wrapped NAME MODULE VERSION PACKAGE: builds PACKAGE from MODULE@VERSION into $bin/NAME.
build_wrapped() {
  local name=$1 module=$2 version=$3 package=$4 dir="$work/$1"
  [[ -f "$bin/$name" ]] && return 0
  log "building $name $version"
  mkdir -p "$dir"
  printf 'module tk.dev/rig/%s\n\ngo 1.24\n\nrequire %s %s\n' "$name" "$module" "$version" > "$dir/go.mod"
  printf '//go:build tools\n\npackage rig\n\nimport _ "%s"\n' "$package" > "$dir/tools.go"
  (cd "$dir" && go mod tidy -e >&2 && go build -trimpath -ldflags "-s -w" -o "$bin/$name.tmp" "$package" >&2)
  mv "$bin/$name.tmp" "$bin/$name"
}
build_wrapped etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3
build_wrapped kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok

"$bin/kube-apiserver" --version >&2
touch "$stamp"
echo "$bin"
