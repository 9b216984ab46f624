#!/bin/bash
# push-files: copies the web root (WEB_ROOT) into a new generation directory on the standby with
# --link-dest against the live one (unchanged files become hard links: no bytes, no space), then the
# Apache site config (APACHE_SITE_CONFIG), then a record of what was sent (files.json).
# Runs as root on the primary (locally, or through SSH), with the script on stdin.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/fault-point.sh
source "$PRA_LIB/fault-point.sh"
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/standby-ssh.sh
source "$PRA_LIB/standby-ssh.sh"
# shellcheck source=../lib/tree-digest.sh
source "$PRA_LIB/tree-digest.sh"
# shellcheck source=../lib/wp-cleanup.sh
source "$PRA_LIB/wp-cleanup.sh"
: "${RUN:?}" "${WEB_ROOT:?}" "${APACHE_SITE_CONFIG:?}" "${IO_TIMEOUT_SECONDS:?}"
: "${STANDBY_CURRENT:?}" "${STANDBY_INCOMING:?}" "${STANDBY_BIN:?}"

run_id_ok "$RUN"
src=$WEB_ROOT
site_conf=$APACHE_SITE_CONFIG
incoming="$STANDBY_INCOMING/$RUN"
# An empty, unmounted or wrong source must never become the standby's copy.
for f in wp-config.php wp-includes/version.php; do
  [ -f "$src/$f" ] || { say "$src/$f is missing: $src does not look like the WordPress root (unmounted disk? wrong webRoot?): nothing sent"; exit 3; }
done
[ -f "$site_conf" ] || { say "$site_conf is missing: set apacheSiteConfig to the blog's Apache site file"; exit 3; }

rsync_standby() {
  local rc=0
  rsync "$@" -e "$standby_ssh" --rsync-path="sudo -n rsync" || rc=$?
  case "$rc" in
    0) ;;
    23|24) say "rsync exit $rc: partial transfer (files vanished or unreadable): the run is not complete"; exit "$rc" ;;
    30) say "rsync exit 30: timeout in data send/receive"; exit 30 ;;
    *) say "rsync failed with exit $rc"; exit "$rc" ;;
  esac
}

stats="$pra_tmp/rsync-stats"
# Unchanged since the live generation (its record says so, and pra-switch proves the result again):
# the standby links the live files and only what its clean-up edited travels, not a file list of the
# whole tree. Otherwise (or if the standby cannot link) the whole tree, hard-linked where unchanged.
read -r digest entries < <(tree_digest "$src")
# </dev/null: this script arrives on stdin, and ssh would read the rest of it.
linked=$(ssh_standby "sudo -n $STANDBY_BIN/pra-link-live $RUN $digest" </dev/null) ||
  linked="PRA-NOT-LINKED pra-link-live failed"
if [ "$linked" = PRA-LINKED ]; then
  say "the web root is the live generation's (digest $digest): linked on the standby; sending only what the clean-up edits"
  edits=()
  for f in "${wp_cleanup_edits[@]}"; do [ ! -e "$src/$f" ] || edits+=("$f"); done
  # --ignore-times: the linked copies were edited on the standby, maybe keeping size and mtime.
  printf '%s\n' "${edits[@]}" |
    rsync_standby -aH --ignore-times --files-from=- --chown=www-data:www-data --timeout="$IO_TIMEOUT_SECONDS" \
      --info=stats2 "$src/" "$STANDBY_LOGIN:$incoming/www/" | tee "$stats"
else
  say "sending the web root (${linked#PRA-NOT-LINKED })"
  rsync_standby -aH --delete --mkpath --chown=www-data:www-data --timeout="$IO_TIMEOUT_SECONDS" \
    --link-dest="$STANDBY_CURRENT/www" --exclude=/wp-content/cache/ --info=progress2,stats2 --no-inc-recursive \
    "$src/" "$STANDBY_LOGIN:$incoming/www/" | tee "$stats"
  # What the standby now holds: a file changed while rsync ran makes pra-switch refuse this copy.
  read -r digest entries < <(tree_digest "$src")
fi
rsync_standby -a --mkpath --timeout="$IO_TIMEOUT_SECONDS" "$site_conf" "$STANDBY_LOGIN:$incoming/apache/site.conf"
fault_point after-rsync
sent=$(sed -n 's/^Total bytes sent: \([0-9,.]*\).*/\1/p' "$stats" | tr -d ',.')
printf '{"digest":"%s","entries":%d,"bytesSent":%d}\n' "$digest" "$entries" "${sent:-0}" |
  ssh_standby "sudo -n $STANDBY_BIN/pra-receive $RUN files.json"
# On stdout: the sync reads the byte count from it.
echo "pra-push-files: sent ${sent:-0} bytes; $entries entries, digest $digest"
