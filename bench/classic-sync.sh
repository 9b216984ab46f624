#!/bin/bash
# The classic hand-written standby sync, as an admin would write it: run as root on the primary,
# every night, against a standby reached over ssh (pinned host key, a sudo user). It is the baseline
# PRA is measured against in `npm run bench`, not part of PRA.
#
#   STANDBY=pra@10.0.0.2 SSH_KEY=/root/.ssh/standby KNOWN_HOSTS=/root/.ssh/standby_known_hosts \
#   SRC_ROOT=/var/www/blog SRC_DB=wordpress DEST_ROOT=/srv/classic/www DEST_DB=classic bench/classic-sync.sh
#
# On the standby, done once by hand beforehand: the DEST_DB schema, the site's DB user with the same
# password and grants on it, and an Apache site serving DEST_ROOT.
set -euo pipefail

: "${STANDBY:?user@host of the standby}"
: "${SSH_KEY:?private key for the standby}"
: "${KNOWN_HOSTS:?known_hosts file with the host key of the standby}"
SRC_ROOT=${SRC_ROOT:-/var/www/blog}
SRC_DB=${SRC_DB:-wordpress}
DEST_ROOT=${DEST_ROOT:-/var/www/blog}
DEST_DB=${DEST_DB:-wordpress}
WORK_DIR=${WORK_DIR:-/var/tmp/classic-sync}

ssh_opts=(-i "$SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes
  -o "UserKnownHostsFile=$KNOWN_HOSTS")
# The remote command is built here on purpose (paths and schema expand on the primary).
# shellcheck disable=SC2029
on_standby() { ssh "${ssh_opts[@]}" "$STANDBY" "$@"; }

mkdir -p "$WORK_DIR"
dump="$WORK_DIR/$SRC_DB.sql"

echo "== files"
on_standby "sudo mkdir -p '$DEST_ROOT'"
rsync -a --delete --stats -e "ssh ${ssh_opts[*]}" --rsync-path="sudo rsync" "$SRC_ROOT/" "$STANDBY:$DEST_ROOT/"

echo "== database"
mariadb-dump --single-transaction --quick --routines --triggers "$SRC_DB" >"$dump"
echo "dump bytes: $(stat -c %s "$dump")"
scp -q "${ssh_opts[@]}" "$dump" "$STANDBY:/tmp/classic-dump.sql"
on_standby "sudo mariadb '$DEST_DB' </tmp/classic-dump.sql && rm -f /tmp/classic-dump.sql"
rm -f "$dump"

echo "== fix-ups"
# The primary's WP Super Cache would keep serving its cached pages; the database is local on the standby.
on_standby "sudo bash -s" <<EOF
set -euo pipefail
cd '$DEST_ROOT'
sed -i '/^# BEGIN WPSuperCache/,/^# END WPSuperCache/d' .htaccess
sed -i "/define( *'WP_CACHE'/d" wp-config.php
sed -i "s/define( *'DB_HOST', *'[^']*' *);/define( 'DB_HOST', 'localhost' );/" wp-config.php
sed -i "s/define( *'DB_NAME', *'[^']*' *);/define( 'DB_NAME', '$DEST_DB' );/" wp-config.php
rm -f wp-content/advanced-cache.php
rm -rf wp-content/cache
chown -R www-data:www-data .
EOF
echo "== done"
