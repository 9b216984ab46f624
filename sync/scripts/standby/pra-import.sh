#!/bin/bash
# pra-import RUN: loads the run's dump into a staging schema (dump.sql as received; dump.sql.gz in
# an older generation, which pra-switch compresses once a newer one is live), then hashes every table with
# the primary's own hash SQL and compares with the primary's hashes taken inside the dump's snapshot.
# The live schema is not touched: a failure or a kill here leaves the last copy serving.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/fault-point.sh
source "$PRA_LIB/fault-point.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"

run="${1:?usage: pra-import RUN}"
run_id_ok "$run"
# A run being received, or (to restore an older recovery point) a kept generation.
dir="$DATA/incoming/$run"
[ -d "$dir" ] || dir="$DATA/generations/$run"
dump="$dir/dump.sql"
[ -s "$dump" ] || dump="$dir/dump.sql.gz"
for f in "${dump#"$dir/"}" hashes.sql primary-hashes.tsv www/wp-config.php; do
  [ -s "$dir/$f" ] || fail "$dir/$f is missing: the transfer of run $run did not finish"
done
if [ -f "$dir/db-verified" ]; then say "run $run already imported and verified"; exit 0; fi
staging=$(wp_staging_schema "$dir/www/wp-config.php")
case "$dump" in *.gz) gzip -t "$dump" || fail "dump.sql.gz of run $run is corrupt" ;; esac

# A row bigger than the server's default 16 MB packet would end the import with "server has gone away".
mysql_root -e "SET GLOBAL max_allowed_packet = 1073741824"
mysql_root -e "DROP DATABASE IF EXISTS \`$staging\`; CREATE DATABASE \`$staging\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
say "importing into $staging"
case "$dump" in
  *.gz) gunzip -c "$dump" | mysql_root "$staging" ;;
  *) mysql_root "$staging" < "$dump" ;;
esac
fault_point after-staging-load

mysql_root -N -B "$staging" < "$dir/hashes.sql" | LC_ALL=C sort > "$dir/standby-hashes.tsv"
LC_ALL=C sort "$dir/primary-hashes.tsv" > "$dir/primary-hashes.sorted"
if ! diff -u "$dir/primary-hashes.sorted" "$dir/standby-hashes.tsv" > "$dir/hash-diff.txt"; then
  cat "$dir/hash-diff.txt" >&2
  fail "the imported copy differs from the primary's snapshot (table, rows, crc32, md5 above): live copy kept"
fi
extra=$(mysql_root -N -B -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$staging'")
expected=$(wc -l < "$dir/primary-hashes.sorted")
[ "$extra" -eq "$expected" ] || fail "staging has $extra tables, the primary $expected"
touch "$dir/db-verified"
say "verified $expected tables: counts and row hashes equal the primary's"
