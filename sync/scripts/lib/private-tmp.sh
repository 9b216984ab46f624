# shellcheck shell=bash
# A private temp dir ($pra_tmp) for keys, option files and helpers, removed when the script exits.
umask 077
pra_tmp=$(mktemp -d)
trap 'rm -rf "$pra_tmp"' EXIT
