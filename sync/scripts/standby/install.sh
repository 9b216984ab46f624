#!/bin/bash
# The installer, sent on stdin to `sudo bash -s`: writes the standby scripts (SCRIPT_NAMES and
# SCRIPT_BODIES from the generated header, sync/standby/install.ts) into the data volume's bin
# directory, each through a temp file and a rename, so a cut connection never leaves a half-written
# script. A script whose text and mode are already there is left alone (no write, no new inode), and
# the output says how many were written. A script the ready check found installed arrives as its
# sha256 (SCRIPT_SHA256S) and the body "=": the installer checks that it is still there. The volume
# carries them, so a replaced instance finds pra-activate at boot.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
: "${SCRIPT_NAMES:?}" "${SCRIPT_SHA256S:?}" "${SCRIPT_BODIES:?}"

mountpoint -q "$DATA" || [ -n "${PRA_DATA:-}" ] || fail "$DATA is not mounted"
mkdir -p "$BIN" "$DATA/incoming" "$DATA/generations"
written=()
for i in "${!SCRIPT_NAMES[@]}"; do
  name=${SCRIPT_NAMES[i]}
  if [ "${SCRIPT_BODIES[i]}" = "=" ]; then
    { [ -f "$BIN/$name" ] && [ "$(stat -c %a "$BIN/$name")" = 755 ] &&
      [ "$(sha256sum < "$BIN/$name" | cut -d' ' -f1)" = "${SCRIPT_SHA256S[i]}" ]; } ||
      fail "$BIN/$name changed after the ready check found it up to date (another run?): run the sync again"
    continue
  fi
  if [ -f "$BIN/$name" ] && [ "$(stat -c %a "$BIN/$name")" = 755 ] &&
    cmp -s "$BIN/$name" <(printf '%s' "${SCRIPT_BODIES[i]}"); then
    continue
  fi
  printf '%s' "${SCRIPT_BODIES[i]}" > "$BIN/$name.new"
  chmod 0755 "$BIN/$name.new"
  mv -f "$BIN/$name.new" "$BIN/$name"
  written+=("$name")
done
say "${#written[@]} of ${#SCRIPT_NAMES[@]} scripts written to $BIN${written[*]:+ (${written[*]})}, $((${#SCRIPT_NAMES[@]} - ${#written[@]})) unchanged"
