# shellcheck shell=bash
# The official downloads: the CLI tarball from get.pulumi.com and each plugin's release tarball.
# On machines without that network they must fail within seconds, hence the short connect timeout.

# fetch_tarball URL DEST_DIR: unpacks URL into DEST_DIR; prints curl's error on failure.
fetch_tarball() {
  local url=$1 dest=$2 tmp
  tmp=$(mktemp -d)
  if ! curl -fsSL --connect-timeout 3 --max-time 600 -o "$tmp/t.tgz" "$url" 2>"$tmp/err"; then
    tr '\n' ' ' <"$tmp/err"
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$dest"
  tar -xzf "$tmp/t.tgz" -C "$dest"
  rm -rf "$tmp"
}

# download_cli VERSION BIN_DIR: pulumi and pulumi-language-nodejs from the release tarball.
download_cli() {
  local version=$1 bin=$2 tmp
  tmp=$(mktemp -d)
  if fetch_tarball "https://get.pulumi.com/releases/sdk/pulumi-v$version-linux-x64.tar.gz" "$tmp"; then
    install -m 0755 "$tmp/pulumi/pulumi" "$tmp/pulumi/pulumi-language-nodejs" "$bin/"
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

# download_plugin NAME VERSION OUT_FILE: the provider binary from its GitHub release.
download_plugin() {
  local name=$1 version=$2 out=$3 tmp
  tmp=$(mktemp -d)
  if fetch_tarball "https://github.com/pulumi/pulumi-$name/releases/download/v$version/pulumi-resource-$name-v$version-linux-amd64.tar.gz" "$tmp"; then
    install -m 0755 "$tmp/pulumi-resource-$name" "$out"
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}
