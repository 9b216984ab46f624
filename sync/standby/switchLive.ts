import { digestFunction } from "../digest";
import { swapDatabaseFunction } from "../swapDatabase";
import { prelude, type StandbyParams } from "./params";
import { wpCleanupFunction } from "./wpCleanup";

/**
 * pra-switch RUN: turns a fully received and verified run into the live recovery point.
 * Every check comes before the first change; the changes are two atomic steps (the `current`
 * symlink flip, then one multi-table RENAME TABLE), so a failure leaves the last good copy serving.
 */
export function renderSwitch(p: StandbyParams): string {
  return `${prelude("switch")}
${digestFunction()}
${wpCleanupFunction()}
${swapDatabaseFunction()}
run="\${1:?usage: pra-switch RUN}"
run_id_ok "$run"
keep=${p.keep}
max_delete_percent=${p.maxDeletePercent}
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
    read -r want_digest want_count < <(php -r '$j = json_decode(file_get_contents($argv[1]), true); echo $j["digest"], " ", $j["entries"], "\\n";' "$in/files.json")
    read -r got_digest got_count < <(tree_digest "$in/www")
    [ "$got_digest" = "$want_digest" ] || fail "files differ from the primary's (digest $got_digest, primary $want_digest, $got_count vs $want_count entries): live copy kept"
    touch "$in/files-verified"
  fi

  # 2. Guard against an empty or half-mounted source wiping the standby.
  if [ -d "$DATA/current/www" ]; then
    old=$(cd "$DATA/current/www" && find . -path ./wp-content/cache -prune -o \\( -type f -o -type l \\) -print | LC_ALL=C sort)
    new=$(cd "$in/www" && find . -path ./wp-content/cache -prune -o \\( -type f -o -type l \\) -print | LC_ALL=C sort)
    old_count=$(printf '%s\\n' "$old" | grep -c . || true)
    gone=$(comm -23 <(printf '%s\\n' "$old") <(printf '%s\\n' "$new") | grep -c . || true)
    if [ "$old_count" -gt 0 ] && [ $((gone * 100)) -gt $((old_count * max_delete_percent)) ]; then
      fail "refusing: $gone of $old_count files of the live copy would disappear (limit $max_delete_percent%); is the primary's web root empty or unmounted? Raise maxDeletePercent to accept"
    fi
  fi

  # 3. The copy must serve here: clean-up (idempotent), then Apache must accept the primary's site config.
  wp_cleanup "$in/www"
  "$BIN/pra-activate" --check-config "$in/apache/site.conf"
  mkdir -p "$DATA/generations"
  mv -T "$in" "$gen"
fi
live=$(php "$BIN/pra-wpconfig.php" "$gen/www/wp-config.php" name)
staging="\${live}__pra_staging"

# 4. Flip the files: one rename of a symlink.
ln -sfn "generations/$run" "$DATA/current.new"
mv -Tf "$DATA/current.new" "$DATA/current"
say "files of run $run are live"

# 5. Swap the database: all tables in one RENAME TABLE, which is all-or-nothing. (A resumed switch
#    finds no staging schema when the swap had already happened.)
if [ -n "$(mysql_root -N -B -e "SHOW DATABASES LIKE '$staging'")" ]; then
  swap_database "$live" "$staging"
  say "database of run $run is live"
fi
php "$BIN/pra-wpconfig.php" "$gen/www/wp-config.php" user-sql | mysql_root

# 6. The recovery point's record, then the newest $keep are kept.
php -r '
  $files = json_decode(file_get_contents($argv[1]), true);
  $db = json_decode(file_get_contents($argv[2]), true);
  $tables = [];
  foreach (file($argv[3], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    [$t, $rows, $crc, $md5] = explode("\\t", $line);
    $tables[$t] = ["rows" => (int) $rows, "crc32" => $crc, "md5" => $md5];
  }
  echo json_encode([
    "run" => $argv[4],
    "snapshotTime" => $db["snapshotTime"],
    "syncedAt" => gmdate("Y-m-d\\\\TH:i:s\\\\Z"),
    "fileDigest" => $files["digest"],
    "fileEntries" => $files["entries"],
    "bytesSent" => $files["bytesSent"] + $db["dumpBytes"],
    "tables" => $tables,
  ], JSON_UNESCAPED_SLASHES), "\\n";
' "$gen/files.json" "$gen/db.json" "$gen/primary-hashes.sorted" "$run" > "$gen/record.json.new"
mv -f "$gen/record.json.new" "$gen/record.json"
# What failed or refused runs left in incoming/ is of no use once a newer run is live.
find "$DATA/incoming" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
ls -1t "$DATA/generations" | tail -n +$((keep + 1)) | while read -r old_run; do
  [ "$old_run" = "$run" ] || { rm -rf "\${DATA:?}/generations/$old_run"; say "pruned recovery point $old_run"; }
done
"$BIN/pra-activate"
cat "$gen/record.json"
`;
}
