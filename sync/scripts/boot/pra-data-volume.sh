#!/bin/bash
# pra-data-volume VOLUME_ID MOUNT_POINT: the first-boot script cloud-init runs (delivered through the
# user data's write_files). Finds the data volume by its Cinder id, formats it only when it holds no
# filesystem at all, mounts it by UUID, moves MariaDB's datadir onto it, and re-activates the newest
# synced site (if any) with the activation script the sync keeps on the volume.
# Its result is what the ready check judges (not cloud-init's status, which any module's error sets):
# /var/lib/pra/boot-done when it finished, /var/lib/pra/boot-failed with the reason when it did not.
set -euo pipefail
volume_id="$1"
mount_point="$2"
# Test seams: where disks are listed, where the result goes, and stopping once the device is formatted-or-kept.
by_id="${PRA_DISK_BY_ID:-/dev/disk/by-id}"
boot_state="${PRA_BOOT_STATE:-/var/lib/pra}" # layout.bootState (a test checks they agree)
log() { echo "pra-data-volume: $*" >&2; }

step="starting"
reason=""
die() {
  reason="$*"
  log "$reason"
  exit 1
}
report() {
  local code=$?
  if [ "$code" -eq 0 ]; then
    date -u +%Y-%m-%dT%H:%M:%SZ >"$boot_state/boot-done"
  else
    printf '%s\n' "${reason:-$step failed (exit $code)}; see /var/log/cloud-init-output.log" >"$boot_state/boot-failed"
  fi
}
mkdir -p "$boot_state"
chmod 0755 "$boot_state"
# An image made from a used standby may carry an old result: only this run's counts.
rm -f "$boot_state/boot-done" "$boot_state/boot-failed"
trap report EXIT

# Nova exposes the volume with the first 20 characters of its id as the disk serial.
find_device() {
  local link
  for link in "$by_id"/*"${volume_id:0:20}"*; do
    if [ -e "$link" ]; then readlink -f "$link"; return 0; fi
  done
  return 1
}
step="finding the data volume"
device=""
for _ in $(seq 1 "${PRA_DEVICE_WAIT:-90}"); do
  device=$(find_device) && break
  sleep 2
done
[ -n "$device" ] || die "volume $volume_id never appeared under /dev/disk/by-id"

# blkid -p exits 2 only when the device holds no signature at all; anything else is not "empty".
step="probing $device"
set +e
blkid -p "$device" >/dev/null 2>&1
probe=$?
set -e
case "$probe" in
  0) log "$device already has a filesystem: keeping it" ;;
  2) step="formatting $device"; log "$device is blank: formatting it"; mkfs.ext4 -q -L pra-data "$device" ;;
  *) die "cannot probe $device (blkid exit $probe): refusing to format" ;;
esac
[ -z "${PRA_FORMAT_ONLY:-}" ] || exit 0

step="mounting $device at $mount_point"
uuid=$(blkid -s UUID -o value "$device")
mkdir -p "$mount_point"
if ! grep -q "[[:space:]]${mount_point}[[:space:]]" /etc/fstab; then
  echo "UUID=$uuid $mount_point ext4 defaults,nofail 0 2" >> /etc/fstab
fi
mountpoint -q "$mount_point" || mount "$mount_point"
mkdir -p "$mount_point/files" "$mount_point/dumps" "$mount_point/records"

# MariaDB's datadir lives on the volume; the first boot seeds it from the image's empty one.
step="moving MariaDB's datadir onto the volume"
systemctl stop mariadb || true
if [ ! -d "$mount_point/mysql/mysql" ]; then
  mkdir -p "$mount_point/mysql"
  cp -a /var/lib/mysql/. "$mount_point/mysql/"
fi
chown mysql:mysql "$mount_point/mysql"
if ! grep -q "[[:space:]]/var/lib/mysql[[:space:]]" /etc/fstab; then
  echo "$mount_point/mysql /var/lib/mysql none bind,nofail,x-systemd.requires-mounts-for=$mount_point 0 0" >> /etc/fstab
fi
mountpoint -q /var/lib/mysql || mount /var/lib/mysql
# write_files put the RequiresMountsFor drop-in there during this boot: systemd reads it only now.
systemctl daemon-reload
step="starting MariaDB"
systemctl start mariadb

# A replaced instance has a fresh root disk: put the newest synced site back in place.
if [ -x "$mount_point/bin/pra-activate" ]; then
  step="re-activating the newest synced site (pra-activate)"
  "$mount_point/bin/pra-activate"
fi
log "data volume ready at $mount_point"
