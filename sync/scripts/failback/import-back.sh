#!/bin/bash
# import-back: imports the standby's dump (gzip on stdin) into a staging schema on the primary, checks
# every table with the hash SQL (HASH_SQL) against the standby's hashes (EXPECTED_TSV), then swaps it
# in with one RENAME TABLE. As root, on the server the sync resolved (DB_CLIENT_OPTIONS, primary-db.sh). On a mismatch the primary's database is left as it was.
# Runs as root on the primary, with the script as argument (stdin carries the dump).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/fault-point.sh
source "$PRA_LIB/fault-point.sh"
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
# shellcheck source=../lib/swap-database.sh
source "$PRA_LIB/swap-database.sh"
: "${WEB_ROOT:?}" "${HASH_SQL:?}" "${EXPECTED_TSV:?}"

live=$(wp_db_name "$WEB_ROOT/wp-config.php")
staging=$(wp_staging_schema "$WEB_ROOT/wp-config.php")
mysql_root -e "SET GLOBAL max_allowed_packet = 1073741824"
mysql_root -e "DROP DATABASE IF EXISTS \`$staging\`; CREATE DATABASE \`$staging\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
gunzip -c | mysql_root "$staging"
fault_point after-staging-load
got=$(printf '%s\n' "$HASH_SQL" | mysql_root -N -B "$staging" | LC_ALL=C sort)
want=$(printf '%s' "$EXPECTED_TSV" | LC_ALL=C sort)
if [ "$got" != "$want" ]; then
  diff <(echo "$want") <(echo "$got") >&2 || true
  mysql_root -e "DROP DATABASE \`$staging\`"
  fail "the copied database differs from the standby's: the primary's database was left as it was"
fi
swap_database "$live" "$staging"
echo "pra-failback: database back on the primary ($(echo "$got" | wc -l) tables verified)"
