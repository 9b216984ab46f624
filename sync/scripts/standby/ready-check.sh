#!/bin/bash
# Is the standby ready for the sync? Checked cheapest first; prints PRA-READY, or PRA-NOT-READY (exit
# 10, worth waiting for) or PRA-FAILED (exit 11, will not fix itself) and the first thing that is not
# ready (sync/runner/ready.ts reads it). Runs as the login user, through SSH.
# It judges PRA's own first boot (the marks pra-data-volume leaves in BOOT_STATE), not cloud-init's
# overall status: an error in a module PRA does not need (a locale, a package mirror) is only reported.
set -u
: "${DATA_MOUNT:?}"
: "${BOOT_STATE:?}" # layout.bootState
boot_state="${PRA_BOOT_STATE:-$BOOT_STATE}"

# A failed first boot will not fix itself: say why at once, even while cloud-init still runs.
if [ -f "$boot_state/boot-failed" ]; then
  reason=$(head -c 500 "$boot_state/boot-failed")
  echo "PRA-FAILED the first boot (pra-data-volume) failed: ${reason//$'\n'/ }"
  exit 11
fi
if ! command -v cloud-init >/dev/null; then
  s="no cloud-init"
else
  # Its exit code is not its status (non-zero on error, and on "degraded" in newer versions): read the words.
  s=$(cloud-init status 2>/dev/null | tr '\n' ' ')
  case "$s" in
    # "not run" is cloud-init 22.4's word for "not started" (older and newer versions)
    *running*|*"not started"*|*"not run"*) echo "PRA-NOT-READY cloud-init has not finished (${s% })"; exit 10 ;;
  esac
fi
if [ ! -f "$boot_state/boot-done" ]; then
  if [ "$s" = "no cloud-init" ]; then
    echo "PRA-FAILED the image has no cloud-init, so the first boot never ran: install it in the image (docs/RUNBOOK.md, Making the image)"
  else
    echo "PRA-FAILED cloud-init finished (${s% }) but PRA's first boot (pra-data-volume) left no result: see /var/log/cloud-init-output.log"
  fi
  exit 11
fi
mountpoint -q "$DATA_MOUNT" || { echo "PRA-NOT-READY the data volume is not mounted at $DATA_MOUNT"; exit 10; }
sudo -n mariadb-admin ping >/dev/null 2>&1 || { echo "PRA-NOT-READY MariaDB does not answer"; exit 10; }
echo PRA-READY
# What the installer need not send again (sync/standby/install.ts): the scripts already on the volume.
if [ -d "$DATA_MOUNT/bin" ]; then
  find "$DATA_MOUNT/bin" -maxdepth 1 -type f -perm 755 -readable -exec sha256sum {} + 2>/dev/null |
    while read -r sha path; do echo "PRA-INSTALLED $sha ${path##*/}"; done
fi
case "$s" in
  *error*|*degraded*) echo "PRA-NOTE cloud-init reports ${s% } for a module PRA's first boot does not depend on: see /var/log/cloud-init.log" ;;
esac
