#!/bin/bash
# dump-db: dumps the site's database in one consistent InnoDB snapshot to a private temp file, then
# sends it with rsync's delta transfer (compressed, against the live generation's dump) into the run's
# directory on the standby. The server is the one the sync resolved (DB_CLIENT_OPTIONS, primary-db.sh),
# the credentials the site's own (wp-config.php under WEB_ROOT, through a 0600 option file, never argv).
# pra-receive commits the dump only after mariadb-dump and the transfer both exited 0, and only with the
# sha256 of the dump written here: a dump or transfer that fails stores nothing.
# --verbose progress goes to stderr: the sync holds the tables' read lock until "-- Setting savepoint"
# appears there (SNAPSHOT_STARTED in sync/primary/dumpDb.ts). Runs as root on the primary, with the
# script on stdin. The primary's temp dir must hold one uncompressed dump.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/standby-ssh.sh
source "$PRA_LIB/standby-ssh.sh"
# shellcheck source=../lib/primary-wpconfig-reader.sh
source "$PRA_LIB/primary-wpconfig-reader.sh"
# shellcheck source=../lib/primary-db.sh
source "$PRA_LIB/primary-db.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"
: "${RUN:?}" "${WEB_ROOT:?}" "${STANDBY_BIN:?}" "${STANDBY_CURRENT:?}" "${STANDBY_INCOMING:?}" "${IO_TIMEOUT_SECONDS:?}"

run_id_ok "$RUN"
wp_config="$WEB_ROOT/wp-config.php"
db=$(wp_db_name "$wp_config")
site_client_cnf "$wp_config"
receive="sudo -n $STANDBY_BIN/pra-receive $RUN dump.sql"

# The whole dump first, into the private temp dir: nothing travels unless mariadb-dump exited 0. One row
# per line in primary-key order, so that an unchanged row is an unchanged line at the same place and
# rsync's delta against the live generation's dump sends little more than the changed rows. Each table's
# rows in one transaction (--no-autocommit): the standby's import does not commit, and sync, row by row.
mkdir "$pra_tmp/dump"
dump="$pra_tmp/dump/dump.sql"
set +e
mariadb-dump --defaults-file="$site_cnf" --verbose \
  --single-transaction --quick --hex-blob --routines --events --triggers \
  --skip-extended-insert --order-by-primary --no-autocommit \
  --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments "$db" > "$dump"
status=$?
set -e
[ "$status" -eq 0 ] || fail "mariadb-dump failed (exit $status): the standby stores no dump of run $RUN"
sha256=$(sha256sum < "$dump" | cut -d' ' -f1)

# Into a directory named dump.sql.partial, so that the file keeps its name for the basis (the live
# generation's dump.sql, through --copy-dest; none on a first sync); pra-receive commits it only when its
# sha256 is that of the dump written here.
stats="$pra_tmp/rsync-stats"
set +e
rsync -z --mkpath --timeout="$IO_TIMEOUT_SECONDS" --copy-dest="$STANDBY_CURRENT" --stats \
  -e "$standby_ssh" --rsync-path="sudo -n rsync" "$dump" "$STANDBY_LOGIN:$STANDBY_INCOMING/$RUN/dump.sql.partial/" > "$stats"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  ssh_standby "$receive --discard" </dev/null >/dev/null 2>&1 || true
  fail "the transfer to the standby failed (rsync exit $status): the standby stores no dump of run $RUN"
fi
# </dev/null: this script arrives on stdin, and ssh would read the rest of it.
ssh_standby "$receive --commit $sha256" </dev/null
sent=$(sed -n 's/^Total bytes sent: \([0-9,.]*\).*/\1/p' "$stats" | tr -d ',.')
# On stdout: the sync reads the byte counts from it.
echo "pra-dump-db: sent ${sent:-0} bytes; dump $(stat -c %s "$dump") bytes, sha256 $sha256"
