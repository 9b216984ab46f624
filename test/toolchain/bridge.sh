# shellcheck shell=bash
# The openstack plugin built by PRA itself (test/toolchain/openstack-bridge/): terraform-provider-openstack
# through pulumi-terraform-bridge, used when pulumi-openstack's own provider cannot be had. Expects what
# gobuild.sh expects (GOMODCACHE, GOCACHE, GOFLAGS=-mod=mod, GOTOOLCHAIN=local, `go` on the PATH).

bridge_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/openstack-bridge" && pwd)

# bridge_digest: names the mapping's sources, so a cached build of an older mapping is never kept.
bridge_digest() {
  cat "$bridge_dir/go.mod" "$bridge_dir/go.sum" "$bridge_dir"/*.go | sha256sum | cut -c1-12
}

# bridge_require MODULE: the version of MODULE that the bridge's go.mod pins (read offline).
bridge_require() {
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$bridge_dir/go.mod"
}

# bridge_detail WHY_NOT_PULUMI_OPENSTACK: what the bridged plugin is, for the manifest.
bridge_detail() {
  printf 'terraform-provider-openstack %s through pulumi-terraform-bridge %s (PRA mapping %s: test/toolchain/openstack-bridge; pulumi-openstack: %s)' \
    "$(bridge_require github.com/terraform-provider-openstack/terraform-provider-openstack/v3)" \
    "$(bridge_require github.com/pulumi/pulumi-terraform-bridge/v3)" "$(bridge_digest)" "$1"
}

# bridge_build STAMP OUT: builds the plugin answering as version STAMP (what the SDK asks the engine for),
# with go.sum checked: a copy in a scratch directory, since go.mod's directory may be read-only (CI's clone
# is not, but a module cache build must not write into the repository).
bridge_build() {
  local stamp=$1 out=$2 work="$SRC_DIR/openstack-bridge"
  rm -rf "$work"
  mkdir -p "$work"
  cp "$bridge_dir/go.mod" "$bridge_dir/go.sum" "$bridge_dir"/*.go "$work/"
  (cd "$work" && GOFLAGS=-mod=readonly nice -n 10 go build -p 2 -trimpath -ldflags "-s -w -X main.version=$stamp" -o "$out" .)
}

# bridge_note MANIFEST: says so when the openstack plugin in MANIFEST is the bridge's build, so no reader of
# the output takes the engine tests' openstack results for pulumi-openstack's own release.
bridge_note() {
  if [ "$(awk -F'\t' '$1 == "plugin-openstack" { print $3 }' "$1")" = bridged ]; then
    echo "pra toolchain: note: the openstack plugin is PRA's build of terraform-provider-openstack through" \
      "pulumi-terraform-bridge (test/toolchain/openstack-bridge), not pulumi-openstack's release"
  fi
}
