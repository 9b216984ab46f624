#!/bin/bash
# pra-switch RUN: turns a fully received and verified run into the live recovery point. Every check
# comes before the first change; the changes are two atomic steps (the `current` symlink flip, then one
# multi-table RENAME TABLE), so a failure leaves the last good copy serving. Keeps the newest KEEP
# recovery points; refuses a run that loses more than MAX_DELETE_PERCENT of the live copy's files.
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
# shellcheck source=../lib/tree-digest.sh
source "$PRA_LIB/tree-digest.sh"
# shellcheck source=../lib/wp-cleanup.sh
source "$PRA_LIB/wp-cleanup.sh"
# shellcheck source=../lib/swap-database.sh
source "$PRA_LIB/swap-database.sh"
: "${KEEP:?}" "${MAX_DELETE_PERCENT:?}"
# Both reach arithmetic, where bash would evaluate anything but a number as an expression.
[[ $KEEP =~ ^[0-9]+$ && $MAX_DELETE_PERCENT =~ ^[0-9]+$ ]] || fail "KEEP ($KEEP) and MAX_DELETE_PERCENT ($MAX_DELETE_PERCENT) must be whole numbers"

run="${1:?usage: pra-switch RUN}"
run_id_ok "$run"
in="$DATA/incoming/$run"
gen="$DATA/generations/$run"

if [ -f "$gen/record.json" ] && [ "$(readlink "$DATA/current")" = "generations/$run" ]; then
  say "run $run is already live"; cat "$gen/record.json"; exit 0
fi

if [ -d "$gen" ]; then
  # Killed after the checks had passed and the generation had moved: finish what is left.
  say "resuming the switch of run $run"
else
  for f in www/wp-config.php apache/site.conf files.json db.json db-verified; do
    [ -e "$in/$f" ] || fail "$in/$f is missing: run $run was not fully received and verified"
  done

  # 1. The files are exactly the primary's (checked before the clean-up changes a few of them).
  if [ ! -e "$in/files-verified" ]; then
    # shellcheck disable=SC2016 # PHP code: its $ are PHP's
    read -r want_digest want_count < <(php -r '$j = json_decode(file_get_contents($argv[1]), true); echo $j["digest"], " ", $j["entries"], "\n";' "$in/files.json")
    read -r got_digest got_count < <(tree_digest "$in/www")
    [ "$got_digest" = "$want_digest" ] || fail "files differ from the primary's (digest $got_digest, primary $want_digest, $got_count vs $want_count entries): live copy kept"
    touch "$in/files-verified"
  fi

  # 2. Guard against an empty or half-mounted source wiping the standby.
  if [ -d "$DATA/current/www" ]; then
    old=$(cd "$DATA/current/www" && find . -path ./wp-content/cache -prune -o \( -type f -o -type l \) -print | LC_ALL=C sort)
    new=$(cd "$in/www" && find . -path ./wp-content/cache -prune -o \( -type f -o -type l \) -print | LC_ALL=C sort)
    old_count=$(printf '%s\n' "$old" | grep -c . || true)
    gone=$(comm -23 <(printf '%s\n' "$old") <(printf '%s\n' "$new") | grep -c . || true)
    if [ "$old_count" -gt 0 ] && [ $((gone * 100)) -gt $((old_count * MAX_DELETE_PERCENT)) ]; then
      fail "refusing: $gone of $old_count files of the live copy would disappear (limit $MAX_DELETE_PERCENT%); is the primary's web root empty or unmounted? Raise maxDeletePercent to accept"
    fi
  fi

  # 3. The copy must serve here: clean-up (idempotent), then Apache must accept the primary's site config.
  wp_cleanup "$in/www"
  "$BIN/pra-activate" --check-config "$in/apache/site.conf"
  fault_point after-checks
  mkdir -p "$DATA/generations"
  mv -T "$in" "$gen"
fi
live=$(wp_db_name "$gen/www/wp-config.php")
staging=$(wp_staging_schema "$gen/www/wp-config.php")

# 4. Flip the files: one rename of a symlink.
ln -sfn "generations/$run" "$DATA/current.new"
mv -Tf "$DATA/current.new" "$DATA/current"
say "files of run $run are live"
fault_point after-files-flip

# 5. Swap the database: all tables in one RENAME TABLE, which is all-or-nothing. (A resumed switch
#    finds no staging schema when the swap had already happened.)
if [ -n "$(mysql_root -N -B -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$staging'")" ]; then
  swap_database "$live" "$staging"
  say "database of run $run is live"
fi
php "$wpconfig_reader" "$gen/www/wp-config.php" user-sql | mysql_root
fault_point after-db-swap

# 6. The recovery point's record, then the newest KEEP are kept.
# shellcheck disable=SC2016 # PHP code: its $ are PHP's
php -r '
  $files = json_decode(file_get_contents($argv[1]), true);
  $db = json_decode(file_get_contents($argv[2]), true);
  $tables = [];
  foreach (file($argv[3], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    [$t, $rows, $crc, $md5] = explode("\t", $line);
    $tables[$t] = ["rows" => (int) $rows, "crc32" => $crc, "md5" => $md5];
  }
  echo json_encode([
    "run" => $argv[4],
    "snapshotTime" => $db["snapshotTime"],
    "syncedAt" => gmdate("Y-m-d\\TH:i:s\\Z"),
    "fileDigest" => $files["digest"],
    "fileEntries" => $files["entries"],
    "bytesSent" => $files["bytesSent"] + $db["bytesSent"],
    "tables" => $tables,
  ], JSON_UNESCAPED_SLASHES), "\n";
' "$gen/files.json" "$gen/db.json" "$gen/primary-hashes.sorted" "$run" > "$gen/record.json.new"
mv -f "$gen/record.json.new" "$gen/record.json"
# What failed or refused runs left in incoming/ is of no use once a newer run is live.
find "$DATA/incoming" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
# Only the live generation's dump stays uncompressed: it is the next night's delta basis. The older
# recovery points keep theirs compressed (a gzip cut short leaves dump.sql, which pra-import prefers).
# Each generation directory keeps its mtime: ls -t orders the recovery points by it (the pruning below).
for old_dump in "$DATA"/generations/*/dump.sql; do
  [ -e "$old_dump" ] && [ "$old_dump" != "$gen/dump.sql" ] || continue
  old_gen=${old_dump%/dump.sql}
  stamp=$(stat -c %y "$old_gen")
  gzip -1 -f "$old_dump"
  touch -d "$stamp" "$old_gen"
done
# shellcheck disable=SC2012 # generation names are run ids (run_id_ok): ls -t lists them newest first
ls -1t "$DATA/generations" | tail -n +$((KEEP + 1)) | while read -r old_run; do
  [ "$old_run" = "$run" ] || { rm -rf "${DATA:?}/generations/$old_run"; say "pruned recovery point $old_run"; }
done
"$BIN/pra-activate"
cat "$gen/record.json"
