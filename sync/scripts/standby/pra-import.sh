#!/bin/bash
# pra-import RUN: loads the run's dump (dump.sql as received; dump.sql.gz in an older generation, which
# pra-verify compresses once a newer one is verified), its one-row INSERTs batched (lib/batch-inserts.sh),
# into the generation's own schema (pra_RUN), then hashes
# every table with the primary's own hash SQL and compares with the primary's hashes taken inside the
# dump's snapshot. The live schema is never touched (a schema that serves is refused): a failure or a
# kill here leaves the last copy serving.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/standby-generations.sh
source "$PRA_LIB/standby-generations.sh"
# shellcheck source=../lib/batch-inserts.sh
source "$PRA_LIB/batch-inserts.sh"

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
if [ -f "$dir/db-verified" ] || [ -f "$DATA/generations/$run/db-verified" ]; then
  say "run $run already imported and verified"; exit 0
fi
staging=$(gen_schema "$run")
if [ -f "$DATA/current/www/wp-config.php" ] && [ "$(wp_db_name "$DATA/current/www/wp-config.php")" = "$staging" ]; then
  fail "$staging is the live schema ($(link_of current)): refusing to import over it"
fi
case "$dump" in *.gz) gzip -t "$dump" || fail "dump.sql.gz of run $run is corrupt" ;; esac

# A row bigger than the server's default 16 MB packet would end the import with "server has gone away".
mysql_root -e "SET GLOBAL max_allowed_packet = 1073741824"
mysql_root -e "DROP DATABASE IF EXISTS \`$staging\`; CREATE DATABASE \`$staging\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
say "importing into $staging"
case "$dump" in
  *.gz) gunzip -c "$dump" | batch_inserts | mysql_root "$staging" ;;
  *) batch_inserts < "$dump" | mysql_root "$staging" ;;
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
