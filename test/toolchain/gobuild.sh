# shellcheck shell=bash
# Builds from source through the Go module proxy. Expects GOMODCACHE, GOCACHE and SRC_DIR (a scratch
# directory in the cache) to be set by install.sh, and `go` on the PATH.

# module_source MODULE VERSION: copies the module's source into a writable directory and prints its path.
# A module the proxy refuses prints go's own error and fails.
module_source() {
  local module=$1 version=$2 json dir dest
  if ! json=$(go mod download -json "$module@v$version" 2>&1); then
    # go prints the JSON (with its Error field) on stdout even when it fails.
    printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | sed 's/\\n\\t/ /g; s/\\n/ /g' | head -c 600
    return 1
  fi
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  dest="$SRC_DIR/${module//\//_}@v$version"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -R "$dir/." "$dest/"
  chmod -R u+w "$dest"
  printf '%s\n' "$dest"
}

# drop_local_replaces DIR SDK_VERSION: a module published from pulumi/pulumi's monorepo replaces the
# sdk with ../sdk (or similar local paths); outside the monorepo that path does not exist, so the
# replace goes and the sdk of the same release is required instead.
drop_local_replaces() {
  local dir=$1 sdk_version=$2 old
  while read -r old; do
    [ -n "$old" ] || continue
    (cd "$dir" && go mod edit -dropreplace "$old")
    if [ "$old" = github.com/pulumi/pulumi/sdk/v3 ]; then
      (cd "$dir" && go mod edit -require "github.com/pulumi/pulumi/sdk/v3@v$sdk_version")
    fi
  done < <(cd "$dir" && go mod edit -json | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace ?? []) if (r.New.Path.startsWith(".") || r.New.Path.startsWith("/")) console.log(r.Old.Path);')
}

# version_variable DIR PACKAGE: the package-level `Version` the release build sets with -X. Read from
# the sources: the first imported package named version (the module's own first, then pulumi's sdk)
# that declares `var Version`.
version_variable() {
  local dir=$1 pkg=$2 module candidate pkgdir
  module=$(cd "$dir" && go list -m)
  while read -r candidate; do
    pkgdir=$(cd "$dir" && go list -f '{{.Dir}}' "$candidate")
    if grep -Eqs '^var Version( string|[[:space:]]*=)' "$pkgdir"/*.go; then
      printf '%s.Version\n' "$candidate"
      return 0
    fi
  done < <(cd "$dir" && go list -deps "$pkg" | grep -E '/version$' | awk -v m="$module" '{ print (index($0, m) == 1 ? 0 : 1), $0 }' | sort -s -k1,1 | cut -d' ' -f2)
  return 1
}

# go_build DIR PACKAGE STAMP OUT: a release-like build: trimmed paths, stripped, the version stamped as
# the release builds do (the CLI as v3.x.y, providers as x.y.z).
go_build() {
  local dir=$1 pkg=$2 stamp=$3 out=$4 variable main_dir
  main_dir="$dir/${pkg#./}"
  # Bridged providers embed the schema that `go generate` derives from the committed schema.json.
  if [ -f "$main_dir/generate.go" ] && ! compgen -G "$main_dir/schema-embed.json" >/dev/null; then
    (cd "$dir" && nice -n 10 go generate "$pkg") || return 1
  fi
  variable=$(version_variable "$dir" "$pkg") || {
    echo "no Version variable found among the version packages $pkg imports"
    return 1
  }
  (cd "$dir" && nice -n 10 go build -p 2 -trimpath -ldflags "-s -w -X $variable=$stamp" -o "$out" "$pkg")
}
