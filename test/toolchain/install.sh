#!/usr/bin/env bash
# Provides the real Pulumi toolchain for the engine tests, at the versions package-lock.json pins:
# the CLI, the Node.js language host and the resource plugins, in a cache directory outside the
# repository (never ~/.pulumi). For each: an installed copy of the exact version, else the official
# download, else a build from source through the Go module proxy. Idempotent: a warm run only reads
# its stamp. The tests read what it got from <dir>/toolchain.tsv (test/toolchain/env.ts).
#   test/toolchain/install.sh               install (or check) and print what each component came from
#   test/toolchain/install.sh --print-dir   print the directory for the pinned versions, change nothing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=official.sh
. "$here/official.sh"
# shellcheck source=gobuild.sh
. "$here/gobuild.sh"
# shellcheck source=bridge.sh
. "$here/bridge.sh"

# The one source of the versions: what npm installed for the program.
# shellcheck disable=SC2016 # JavaScript, not shell
mapfile -t pinned < <(node -e '
  const lock = require(process.argv[1]).packages;
  for (const p of ["pulumi", "command", "tls", "random", "openstack"]) {
    const v = lock[`node_modules/@pulumi/${p}`]?.version;
    if (!v) { console.error(`package-lock.json has no node_modules/@pulumi/${p}`); process.exit(1); }
    console.log(`${p} ${v}`);
  }' "$repo/package-lock.json")
declare -A version
key=""
for line in "${pinned[@]}"; do
  version[${line% *}]=${line#* }
  key+="${key:+_}${line% *}-${line#* }"
done
root=${PRA_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pra-toolchain}
dir="$root/$key"
if [ "${1:-}" = --print-dir ]; then
  printf '%s\n' "$dir"
  exit 0
fi

manifest="$dir/toolchain.tsv"
stamp="$dir/complete"
# Every worktree and CI run on the machine shares the cache: one install at a time, the others wait.
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9
if [ -f "$stamp" ] && [ -x "$dir/bin/pulumi" ] && [ -x "$dir/bin/pulumi-language-nodejs" ]; then
  echo "pra toolchain: $dir (complete, nothing to do)"
  cut -f1,2,3 "$manifest" | sed 's/^/  /'
  bridge_note "$manifest"
  exit 0
fi

bin="$dir/bin"
home="$dir/pulumi-home"
logs="$dir/logs"
mkdir -p "$bin" "$home/plugins" "$logs" "$root/go/mod" "$root/go/cache" "$root/src"
[ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH"
# Everything Go writes stays in the cache directory, so CI caches one directory; no toolchain download.
export GOMODCACHE="$root/go/mod" GOCACHE="$root/go/cache" GOFLAGS="-mod=mod" GOTOOLCHAIN=local SRC_DIR="$root/src"
# A user's own installation is only read; probing a CLI must not write into it.
user_home=${PULUMI_HOME:-$HOME/.pulumi}
export PULUMI_HOME="$home" PULUMI_SKIP_UPDATE_CHECK=true
: >"$manifest.new"
# What earlier runs provided stays; only what is missing is tried again (a CLI or plugin installed since,
# or a module the proxy serves now).
declare -A earlier
if [ -f "$manifest" ]; then
  while IFS= read -r line; do earlier[${line%%$'\t'*}]=$line; done <"$manifest"
fi

# record COMPONENT HOW SECONDS DETAIL: one line of the manifest and of the summary.
record() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "${version[${1#plugin-}]:-${version[pulumi]}}" "$2" "$3s" "$4" >>"$manifest.new"
  printf '  %-22s %-10s %5s  %s\n' "$1" "$2" "$3s" "$4"
}

# kept COMPONENT ARTIFACT: re-records an earlier run's result whose artifact is still there.
kept() {
  local line=${earlier[$1]:-} how
  [ -n "$line" ] && [ -x "$2" ] || return 1
  how=$(cut -f3 <<<"$line")
  [ "$how" != missing ] || return 1
  printf '%s\n' "$line" >>"$manifest.new"
  printf '  %-22s %-10s %5s  %s\n' "$1" "$how" "0s" "(cached) $(cut -f5 <<<"$line")"
}

# build_or_explain LOG CMD...: runs a build step, its output in LOG; on failure prints the log's last line.
build_or_explain() {
  local log=$1
  shift
  if "$@" >"$log" 2>&1; then return 0; fi
  tail -n 1 "$log" | cut -c1-600
  return 1
}

installed_cli() {
  local c
  for c in "$(command -v pulumi || true)" "$user_home/bin/pulumi"; do
    if [ -x "$c" ] && [ "$("$c" version 2>/dev/null)" = "v${version[pulumi]}" ]; then
      readlink -f "$c"
      return 0
    fi
  done
  return 1
}

# from_source MODULE VERSION PACKAGE STAMP OUT LOG: download, drop the monorepo's local replaces, build.
# Prints why it could not.
from_source() {
  local src
  src=$(module_source "$1" "$2") || {
    echo "$src"
    return 1
  }
  drop_local_replaces "$src" "${version[pulumi]}" >"$6" 2>&1 || {
    tail -n 1 "$6"
    return 1
  }
  build_or_explain "$6" go_build "$src" "$3" "$4" "$5"
}

language_host_from=""
provide_cli() {
  local start=$SECONDS found download_error build_error
  if kept cli "$bin/pulumi"; then
    return 0
  elif found=$(installed_cli); then
    ln -sf "$found" "$bin/pulumi"
    # The release tarball puts the language host beside the CLI: only that copy is known to match.
    if [ -x "$(dirname "$found")/pulumi-language-nodejs" ]; then
      ln -sf "$(dirname "$found")/pulumi-language-nodejs" "$bin/"
      language_host_from="found beside $found"
    fi
    record cli found $((SECONDS - start)) "$found"
  elif download_error=$(download_cli "${version[pulumi]}" "$bin"); then
    language_host_from="downloaded with the CLI"
    record cli downloaded $((SECONDS - start)) "get.pulumi.com"
  elif build_error=$(from_source github.com/pulumi/pulumi/pkg/v3 "${version[pulumi]}" ./cmd/pulumi \
    "v${version[pulumi]}" "$bin/pulumi" "$logs/cli.log"); then
    record cli built $((SECONDS - start)) "github.com/pulumi/pulumi/pkg/v3 ./cmd/pulumi (log: $logs/cli.log)"
  else
    record cli missing $((SECONDS - start)) "download: $download_error; Go module proxy: $build_error"
  fi
}

provide_language_host() {
  local start=$SECONDS build_error module=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
  if kept language-nodejs "$bin/pulumi-language-nodejs"; then
    return 0
  elif [ -n "$language_host_from" ]; then
    record language-nodejs "${language_host_from%% *}" 0 "$language_host_from"
  elif build_error=$(from_source "$module" "${version[pulumi]}" . "v${version[pulumi]}" \
    "$bin/pulumi-language-nodejs" "$logs/language-nodejs.log"); then
    record language-nodejs built $((SECONDS - start)) "$module (log: $logs/language-nodejs.log)"
  else
    record language-nodejs missing $((SECONDS - start)) "ships only with the CLI's download; Go module proxy: $build_error"
  fi
}

# A provider module follows Go's import versioning: .../provider for v0/v1, .../provider/vN after.
provider_module() {
  local name=$1 major=${2%%.*}
  if [ "$major" -ge 2 ]; then echo "github.com/pulumi/pulumi-$name/provider/v$major"; else echo "github.com/pulumi/pulumi-$name/provider"; fi
}

# install_plugin NAME VERSION BINARY: where the engine looks for it, in the private PULUMI_HOME.
install_plugin() {
  local name=$1 v=$2 file=$3 target="$home/plugins/resource-$1-v$2"
  if [ -x "$bin/pulumi" ]; then
    "$bin/pulumi" plugin install resource "$name" "$v" --file "$file" --reinstall >"$logs/plugin-$name.install.log" 2>&1 && return 0
  fi
  # Without a CLI: the directory layout the engine reads.
  rm -rf "$target" "$target.partial" "$target.lock"
  mkdir -p "$target"
  install -m 0755 "$file" "$target/pulumi-resource-$name"
}

provide_plugin() {
  local name=$1 v=${version[$1]} start=$SECONDS download_error build_error bridge_error="" module out
  local user_copy="$user_home/plugins/resource-$name-v$v"
  out="$dir/plugin-build/pulumi-resource-$name"
  mkdir -p "$dir/plugin-build"
  module=$(provider_module "$name" "$v")
  # A bridged build of another mapping than the one checked out is built again.
  if [ "$(cut -f3 <<<"${earlier[plugin-$name]:-}")" = bridged ] &&
    [[ "${earlier[plugin-$name]}" != *"PRA mapping $(bridge_digest):"* ]]; then
    unset "earlier[plugin-$name]"
  fi
  # A user's installed plugin is only read (copied into the private PULUMI_HOME), never changed.
  if kept "plugin-$name" "$home/plugins/resource-$name-v$v/pulumi-resource-$name"; then
    return 0
  elif [ -x "$user_copy/pulumi-resource-$name" ] && [ ! -e "$user_copy.partial" ] &&
    install_plugin "$name" "$v" "$user_copy/pulumi-resource-$name"; then
    record "plugin-$name" found $((SECONDS - start)) "$user_copy"
  elif download_error=$(download_plugin "$name" "$v" "$out") && install_plugin "$name" "$v" "$out"; then
    record "plugin-$name" downloaded $((SECONDS - start)) "GitHub release"
  elif build_error=$(from_source "$module" "$v" "./cmd/pulumi-resource-$name" "$v" "$out" "$logs/plugin-$name.log") &&
    install_plugin "$name" "$v" "$out"; then
    record "plugin-$name" built $((SECONDS - start)) "$module (log: $logs/plugin-$name.log)"
  elif [ "$name" = openstack ] && bridge_error=$(build_or_explain "$logs/plugin-$name.bridge.log" bridge_build "$v" "$out") &&
    install_plugin "$name" "$v" "$out"; then
    # Not pulumi-openstack: the Terraform provider it wraps (a newer release) through the same bridge.
    record "plugin-$name" bridged $((SECONDS - start)) \
      "$(bridge_detail "download: ${download_error:-?}; Go module proxy: ${build_error:-?}") (log: $logs/plugin-$name.bridge.log)"
  else
    record "plugin-$name" missing $((SECONDS - start)) \
      "download: ${download_error:-?}; Go module proxy: ${build_error:-?}${bridge_error:+; the bridge (test/toolchain/openstack-bridge): $bridge_error}"
  fi
}

echo "pra toolchain: $dir"
provide_cli
provide_language_host
for name in command tls random openstack; do provide_plugin "$name"; done
mv "$manifest.new" "$manifest"
bridge_note "$manifest"
if ! cut -f3 "$manifest" | grep -qx missing; then
  date -u +%FT%TZ >"$stamp"
else
  echo "pra toolchain: incomplete; the engine tests that need a missing component say so and skip"
fi
