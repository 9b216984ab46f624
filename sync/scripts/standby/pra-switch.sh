#!/bin/bash
# pra-switch RUN: turns a fully received and verified run into the live recovery point, never a worse
# one. Every check comes before the first change: the files equal the primary's, not too many of them
# disappear (MAX_DELETE_PERCENT), Apache accepts the primary's site config, and WordPress serves the
# candidate from its own copy (files and its own schema) under the blog's host name on a loopback
# preview site, with the newest post. Only then one flip of the `current` symlink switches files and
# database at once; the generation stays pending until pra-verify proves it through the real site.
# A failure before the flip leaves the last good copy serving; after it, a rollback flips back.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/standby-generations.sh
source "$PRA_LIB/standby-generations.sh"
# shellcheck source=../lib/tree-digest.sh
source "$PRA_LIB/tree-digest.sh"
# shellcheck source=../lib/wp-cleanup.sh
source "$PRA_LIB/wp-cleanup.sh"
# shellcheck source=../lib/tls-refs.sh
source "$PRA_LIB/tls-refs.sh"
# shellcheck source=../lib/tls-site.sh
source "$PRA_LIB/tls-site.sh"
# shellcheck source=../lib/site-check.sh
source "$PRA_LIB/site-check.sh"
# shellcheck source=../lib/apache-enable.sh
source "$PRA_LIB/apache-enable.sh"
# shellcheck source=../lib/preview-site.sh
source "$PRA_LIB/preview-site.sh"
: "${MAX_DELETE_PERCENT:?}"
# It reaches arithmetic, where bash would evaluate anything but a number as an expression.
[[ $MAX_DELETE_PERCENT =~ ^[0-9]+$ ]] || fail "MAX_DELETE_PERCENT ($MAX_DELETE_PERCENT) must be a whole number"

run="${1:?usage: pra-switch RUN}"
run_id_ok "$run"
in="$DATA/incoming/$run"
gen="$DATA/generations/$run"

# A run killed after its flip left a generation nobody proved: the last verified one serves again first.
[ -z "$(link_of pending)" ] || "$BIN/pra-activate"

if [ "$(link_of current)" = "generations/$run" ] && [ "$(link_of verified)" = "generations/$run" ]; then
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
    # Files linked from the live generation keep their inode and time: only what arrived is read again.
    mkdir -p "$DATA/cache"
    read -r got_digest got_count < <(tree_digest_cache="$DATA/cache/tree.digests" tree_digest "$in/www")
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

  # 3. The copy must serve here: clean-up (idempotent), its own schema, its TLS files in place and the
  #    site file pointed at them, Apache accepts the site config (probed with this generation's paths,
  #    as it will read them once `current` points here).
  wp_cleanup "$in/www"
  point_at_schema "$in/www/wp-config.php" "$(gen_schema "$run")"
  tls_prepare "$in"
  tls_rewrite "$in/apache/site.primary.conf" "$in/tls" > "$in/apache/site.probe.conf"
  "$BIN/pra-activate" --check-config "$in/apache/site.probe.conf"
  rm -f "$in/apache/site.probe.conf"
  fault_point after-checks
  mkdir -p "$DATA/generations"
  mv -T "$in" "$gen"
fi

# 4. The recovery point's record, kept with the generation.
if [ ! -s "$gen/record.json" ]; then
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
    ] + (is_file($argv[5]) ? ["certificate" => json_decode(file_get_contents($argv[5]), true)] : []), JSON_UNESCAPED_SLASHES), "\n";
  ' "$gen/files.json" "$gen/db.json" "$gen/primary-hashes.sorted" "$run" "$gen/tls/pra/certificate.json" > "$gen/record.json.new"
  mv -f "$gen/record.json.new" "$gen/record.json"
fi

# 5. WordPress must serve the candidate before it goes live. A candidate that does not goes back to
#    incoming/ (it is no recovery point); the live copy was never touched.
php "$wpconfig_reader" "$gen/www/wp-config.php" user-sql | mysql_root
preview_on "$gen/www" "$run"
if ! site_check "$SITE_HOST" "$PREVIEW_ADDRESS" "$gen/www" "$run"; then
  preview_off
  apache_reload
  mkdir -p "$DATA/incoming"
  rm -rf "$in"
  mv -T "$gen" "$in"
  fail "run $run does not serve before going live: $site_problem. Live copy kept: $(link_of current)"
fi
say "the candidate serves the newest post #$newest_id \"$newest_title\" on $PREVIEW_ADDRESS"
preview_off
fault_point after-preview

# 6. One flip: files and database together. Pending until pra-verify proves it through the real site.
adopt_verified
link_atomically "generations/$run" pending
link_atomically "generations/$run" current
say "run $run is live, pending its check through the real site"
fault_point after-flip

# What failed or refused runs left in incoming/ is of no use once a newer run is live.
find "$DATA/incoming" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
"$BIN/pra-activate" --after-switch
fault_point after-activate
cat "$gen/record.json"
