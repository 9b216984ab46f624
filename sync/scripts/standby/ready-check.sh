#!/bin/bash
# Is the standby ready for the sync? Checked cheapest first; prints PRA-READY, or PRA-NOT-READY (exit
# 10, worth waiting for) or PRA-FAILED (exit 11, will not fix itself) and the first thing that is not
# ready (sync/runner/ready.ts reads it). Runs as the login user, through SSH.
set -u
: "${DATA_MOUNT:?}"
s=$(cloud-init status 2>/dev/null || true)
case "$s" in
  *running*|*"not started"*) echo "PRA-NOT-READY cloud-init has not finished ($s)"; exit 10 ;;
  *error*) echo "PRA-FAILED cloud-init failed ($s): see /var/log/cloud-init-output.log"; exit 11 ;;
esac
mountpoint -q "$DATA_MOUNT" || { echo "PRA-NOT-READY the data volume is not mounted at $DATA_MOUNT"; exit 10; }
sudo -n mariadb-admin ping >/dev/null 2>&1 || { echo "PRA-NOT-READY MariaDB does not answer"; exit 10; }
echo PRA-READY
