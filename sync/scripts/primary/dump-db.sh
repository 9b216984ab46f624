#!/bin/bash
# dump-db: dumps the site's database (credentials from its own wp-config.php under WEB_ROOT, through a
# 0600 option file, never argv) in one consistent InnoDB snapshot, compresses it and streams it
# straight onto the standby, where pra-receive stores it atomically. --verbose progress goes to stderr:
# the sync holds the tables' read lock until "-- Setting savepoint" appears there (SNAPSHOT_STARTED in
# sync/primary/dumpDb.ts). Runs as root on the primary, with the script on stdin.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/standby-ssh.sh
source "$PRA_LIB/standby-ssh.sh"
# shellcheck source=../lib/primary-wpconfig-reader.sh
source "$PRA_LIB/primary-wpconfig-reader.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"
: "${RUN:?}" "${WEB_ROOT:?}" "${STANDBY_BIN:?}"

run_id_ok "$RUN"
wp_config="$WEB_ROOT/wp-config.php"
db=$(wp_db_name "$wp_config")
php "$wpconfig_reader" "$wp_config" client-cnf > "$pra_tmp/client.cnf"
mariadb-dump --defaults-extra-file="$pra_tmp/client.cnf" --verbose \
  --single-transaction --quick --hex-blob --routines --events --triggers \
  --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments \
  "$db" | gzip -1 | ssh_standby "sudo -n $STANDBY_BIN/pra-receive $RUN dump.sql.gz"
