#!/bin/bash
# dump-db: dumps the site's database in one consistent InnoDB snapshot, compresses it and streams it
# straight onto the standby. The server is the one the sync resolved (DB_CLIENT_OPTIONS, primary-db.sh),
# the credentials the site's own (wp-config.php under WEB_ROOT, through a 0600 option file, never argv).
# pra-receive keeps the stream as a .partial file; only when mariadb-dump, gzip and the transfer all
# exited 0 is it committed, with the sha256 of what was sent: a dump that fails midway stores nothing.
# --verbose progress goes to stderr: the sync holds the tables' read lock until "-- Setting savepoint"
# appears there (SNAPSHOT_STARTED in sync/primary/dumpDb.ts). Runs as root on the primary, with the
# script on stdin.
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
: "${RUN:?}" "${WEB_ROOT:?}" "${STANDBY_BIN:?}"

run_id_ok "$RUN"
wp_config="$WEB_ROOT/wp-config.php"
db=$(wp_db_name "$wp_config")
site_client_cnf "$wp_config"
receive="sudo -n $STANDBY_BIN/pra-receive $RUN dump.sql.gz"

# The sha256 of exactly the bytes handed to ssh, computed beside the stream.
mkfifo "$pra_tmp/sent"
sha256sum < "$pra_tmp/sent" > "$pra_tmp/sent.sha256" &
summer=$!
set +e
mariadb-dump --defaults-file="$site_cnf" --verbose \
  --single-transaction --quick --hex-blob --routines --events --triggers \
  --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments "$db" | gzip -1 | tee "$pra_tmp/sent" | ssh_standby "$receive --partial"
status=("${PIPESTATUS[@]}")
set -e
stages=(mariadb-dump gzip tee "the transfer to the standby")
for i in "${!stages[@]}"; do
  if [ "${status[i]}" -ne 0 ]; then
    kill "$summer" 2>/dev/null || true
    ssh_standby "$receive --discard" >/dev/null 2>&1 || true
    fail "${stages[i]} failed (exit ${status[i]}): the standby stores no dump of run $RUN"
  fi
done
wait "$summer" || fail "could not compute the sha256 of the dump sent"
ssh_standby "$receive --commit $(cut -d' ' -f1 "$pra_tmp/sent.sha256")"
