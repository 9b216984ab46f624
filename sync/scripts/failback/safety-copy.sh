#!/bin/bash
# safety-copy: a copy of the primary before the failback overwrites anything: a dump of its database
# (from the server the sync resolved, DB_CLIENT_OPTIONS, with the site's own credentials) and a
# hard-linked copy of its web root (WEB_ROOT), in /var/backups/pra/failback-STAMP.
# Runs as root on the primary.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/primary-wpconfig-reader.sh
source "$PRA_LIB/primary-wpconfig-reader.sh"
# shellcheck source=../lib/primary-db.sh
source "$PRA_LIB/primary-db.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"
: "${WEB_ROOT:?}" "${STAMP:?}"

[[ $STAMP =~ ^[0-9A-Za-z]+$ ]] || fail "bad safety copy stamp '$STAMP'"
dest="/var/backups/pra/failback-$STAMP"
mkdir -p "$dest"
chmod 700 /var/backups/pra "$dest"
db=$(wp_db_name "$WEB_ROOT/wp-config.php")
site_client_cnf "$WEB_ROOT/wp-config.php"
mariadb-dump --defaults-file="$site_cnf" --single-transaction --quick --hex-blob --routines --events --triggers --default-character-set=utf8mb4 --max-allowed-packet=1G "$db" | gzip -1 > "$dest/db.sql.gz"
# Hard links cost no space; across filesystems, a real copy.
cp -al "$WEB_ROOT" "$dest/www" 2>/dev/null || { rm -rf "$dest/www"; cp -a "$WEB_ROOT" "$dest/www"; }
echo "pra-failback: safety copy of the primary in $dest"
