#!/bin/bash
# push-files: copies the web root (WEB_ROOT) into a new generation directory on the standby with
# --link-dest against the live one (unchanged files become hard links: no bytes, no space), then the
# Apache site config (APACHE_SITE_CONFIG, with every other enabled site file that serves the same
# ServerName, e.g. certbot's NAME-le-ssl.conf, appended) and the TLS files it names (certificate chain, private key,
# Let's Encrypt's live/archive/renewal for that name, its options file), then a record of what was
# sent (files.json). The TLS files land root-only (0700/0600) in the generation's tls/ directory under
# their own absolute paths; the standby rewrites the site's paths to them (lib/tls-site.sh).
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
# shellcheck source=../lib/tls-refs.sh
source "$PRA_LIB/tls-refs.sh"
: "${RUN:?}" "${WEB_ROOT:?}" "${APACHE_SITE_CONFIG:?}" "${IO_TIMEOUT_SECONDS:?}" "${DIGEST_CACHE:?}"
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

# certbot --apache writes the HTTPS virtual host into a file of its own (NAME-le-ssl.conf): every
# enabled site file that serves the site file's ServerName travels with it, as one file. Apache's own
# dump of its virtual hosts (apache2ctl -t -D DUMP_VHOSTS) says which files those are; a config Apache
# cannot parse dumps nothing, and the site file alone goes (the standby's configtest then names the problem).
site_name=$(awk 'tolower($1) == "servername" { print $2; exit }' "$site_conf")
site_all="$pra_tmp/site.conf"
cp "$site_conf" "$site_all"
chmod 0644 "$site_all"
if [ -n "$site_name" ] && command -v apache2ctl >/dev/null; then
  while read -r other; do
    [ "$(realpath "$other")" = "$(realpath "$site_conf")" ] && continue
    printf '\n# PRA: from %s (also serves %s)\n' "$other" "$site_name" >> "$site_all"
    cat "$other" >> "$site_all"
    say "the site's $site_name is also served by $other: it travels with $site_conf"
  done < <(apache2ctl -t -D DUMP_VHOSTS 2>/dev/null | grep -F " $site_name (" | sed -n 's/.*(\(\/.*\):[0-9]*)$/\1/p' | sort -u)
fi

# What the site's TLS needs, as paths relative to / for rsync --files-from. A Let's Encrypt live/NAME
# file brings live/NAME (links into archive/), archive/NAME and renewal/NAME.conf along: the standby
# can then serve, and renew, the same certificate. A missing file fails here, before anything is sent.
tls_files="$pra_tmp/tls-files"
: > "$tls_files"
while read -r directive path; do
  if [ ! -f "$path" ]; then
    [ "${directive,,}" != includeoptional ] || continue
    say "$path is missing (named by $directive in $site_conf or a site file serving the same name): restore or renew the certificate, or fix $site_conf: nothing sent"
    exit 3
  fi
  if [[ $path =~ ^(/.*)/live/([^/]+)/[^/]+$ ]] && [ -d "${BASH_REMATCH[1]}/archive/${BASH_REMATCH[2]}" ]; then
    le=${BASH_REMATCH[1]#/} name=${BASH_REMATCH[2]}
    printf '%s\n' "$le/live/$name" "$le/archive/$name" >> "$tls_files"
    [ ! -f "/$le/renewal/$name.conf" ] || printf '%s\n' "$le/renewal/$name.conf" >> "$tls_files"
  else
    printf '%s\n' "${path#/}" >> "$tls_files"
  fi
done < <(tls_refs "$site_all")

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
# Only the files changed since the last night are read again (lib/tree-digest.sh); root-only.
[ -d "$(dirname "$DIGEST_CACHE")" ] || install -d -m 0700 "$(dirname "$DIGEST_CACHE")"
tree_digest_cache=$DIGEST_CACHE
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
rsync_standby -a --mkpath --timeout="$IO_TIMEOUT_SECONDS" "$site_all" "$STANDBY_LOGIN:$incoming/apache/site.conf"
if [ -s "$tls_files" ]; then
  sort -u -o "$tls_files" "$tls_files"
  # Links kept (live/ points into archive/); keys never readable by anyone but root on the way or after.
  rsync_standby -a -r --files-from="$tls_files" --chown=root:root --chmod=D0700,F0600 --mkpath \
    --timeout="$IO_TIMEOUT_SECONDS" / "$STANDBY_LOGIN:$incoming/tls/"
  say "sent the site's TLS files ($(wc -l < "$tls_files") paths)"
fi
fault_point after-rsync
sent=$(sed -n 's/^Total bytes sent: \([0-9,.]*\).*/\1/p' "$stats" | tr -d ',.')
printf '{"digest":"%s","entries":%d,"bytesSent":%d}\n' "$digest" "$entries" "${sent:-0}" |
  ssh_standby "sudo -n $STANDBY_BIN/pra-receive $RUN files.json"
# On stdout: the sync reads the byte count from it.
echo "pra-push-files: sent ${sent:-0} bytes; $entries entries, digest $digest"
