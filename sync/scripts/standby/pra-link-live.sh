#!/bin/bash
# pra-link-live RUN DIGEST: when the web root the primary holds (DIGEST, its tree_digest) is the one the
# live generation was made from, incoming/RUN/www becomes a hard-linked copy of the live www: the files
# need not travel, only those the clean-up changed (wp_cleanup_edits, sent by push-files next). Prints
# PRA-LINKED, or PRA-NOT-LINKED and why (nothing linked: the whole web root travels).
# What the live generation was made from is its files.json, whose digest pra-switch proved against the
# tree it received before it let that generation go live. pra-switch proves the new copy the same way
# again, so a wrong link can only fail the night, never serve stale files.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"

usage="usage: pra-link-live RUN DIGEST"
run="${1:?$usage}"; digest="${2:?$usage}"
run_id_ok "$run"
[[ "$digest" =~ ^[0-9a-f]{64}$ ]] || fail "DIGEST must be a sha256 (64 hex digits), not '$digest'"
live="$DATA/current"
in="$DATA/incoming/$run"

if [ ! -f "$live/files.json" ] || [ ! -d "$live/www" ]; then
  echo "PRA-NOT-LINKED no live generation"; exit 0
fi
# shellcheck disable=SC2016 # PHP code: its $ are PHP's
live_digest=$(php -r '$j = json_decode(file_get_contents($argv[1]), true); echo $j["digest"] ?? "";' "$live/files.json")
if [ "$live_digest" != "$digest" ]; then
  echo "PRA-NOT-LINKED the live generation was made from another web root"; exit 0
fi
mkdir -p "$in"
rm -rf "$in/www" "$in/www.linking"
cp -a --link "$(readlink -f "$live/www")" "$in/www.linking"
mv -T "$in/www.linking" "$in/www"
say "linked the live web root into run $run (digest $digest)"
echo PRA-LINKED
