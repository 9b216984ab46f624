#!/bin/bash
# pra-verify: proves WordPress itself serves the live copy: the home page, asked for the blog's own host
# name (SITE_HOST) through this instance's Apache, answers 200, shows the newest published post, and
# carries no WP Super Cache trace (lib/site-check.sh, the same check as the switch's preview).
# After a switch (the pending generation is live) it decides: a generation that passes becomes the
# verified one and older schemas and generations beyond KEEP go; one that fails gives way to the last
# verified generation (files and database, one flip back), which is checked in turn. Either way it
# exits 0 and reports what really serves, so that the record kept in state never claims otherwise;
# the failure is reported on the FAILED_TAG line, and the program fails the run after keeping it.
# Without a pending generation (failover, drill) a failing site fails the script.
# Prints "NEWEST_POST_TAG <id>" and "RECOVERY_POINTS_TAG <run> ..." (the kept generations a failover can
# restore with restorePoint, newest first) when a verified generation serves, "TLS_CA_TAG <base64 PEM>" when
# the site is https (the CA a client outside must verify the certificate against), and, last, the live
# recovery point's record, or {} when no verified generation serves (sync/verifyReport.ts reads them).
# Runs as root.
set -euo pipefail
# shellcheck source=../lib/standby-generations.sh
source "$PRA_LIB/standby-generations.sh"
# shellcheck source=../lib/tls-refs.sh
source "$PRA_LIB/tls-refs.sh"
# shellcheck source=../lib/tls-site.sh
source "$PRA_LIB/tls-site.sh"
# shellcheck source=../lib/site-check.sh
source "$PRA_LIB/site-check.sh"
: "${SITE_HOST:?}" "${NEWEST_POST_TAG:?}" "${RECOVERY_POINTS_TAG:?}" "${FAILED_TAG:?}" "${TLS_CA_TAG:?}" "${KEEP:?}"
[[ $KEEP =~ ^[1-9][0-9]*$ ]] || fail "KEEP ($KEEP) must be a whole number from 1"

live="$DATA/current"
[ -f "$live/record.json" ] || fail "no live recovery point on $DATA"
current=$(link_of current)
deciding=false
[ "$(link_of pending)" != "$current" ] || deciding=true

# Generations beyond the newest KEEP, and every generation's schema but the live one's: the previous
# tables are kept until the new ones are proved, older points are re-imported from their dumps.
prune() {
  local live_schema old schema
  live_schema=$(wp_db_name "$live/www/wp-config.php")
  # shellcheck disable=SC2012 # generation names are run ids (run_id_ok): ls -t lists them newest first
  ls -1t "$DATA/generations" | tail -n +$((KEEP + 1)) | while read -r old; do
    [ "generations/$old" = "$current" ] || { rm -rf "${DATA:?}/generations/$old"; say "pruned recovery point $old"; }
  done
  # Only the verified live generation's dump stays uncompressed: it is the next night's delta basis.
  # Older recovery points keep theirs compressed (a gzip cut short leaves dump.sql, which pra-import
  # prefers). Each generation keeps its mtime: ls -t orders the recovery points by it.
  local old_dump old_gen stamp
  for old_dump in "$DATA"/generations/*/dump.sql; do
    if [ ! -e "$old_dump" ] || [ "$old_dump" = "$DATA/$current/dump.sql" ]; then continue; fi
    old_gen=${old_dump%/dump.sql}
    stamp=$(stat -c %y "$old_gen")
    gzip -1 -f "$old_dump"
    touch -d "$stamp" "$old_gen"
  done
  mysql_root -N -B -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'pra\\_%' OR SCHEMA_NAME LIKE 'pra-%' OR SCHEMA_NAME LIKE '%\\_\\_pra\\_staging'" |
    while read -r schema; do
      [ "$schema" = "$live_schema" ] || { mysql_root -e "DROP DATABASE \`${schema//\`/\`\`}\`"; say "dropped schema $schema"; }
    done
}

# The generations pra-restore can make live: those with their dump (a failover's own copy has none).
restorable() {
  local gen
  # shellcheck disable=SC2012 # generation names are run ids: ls -t lists them newest first
  ls -1t "$DATA/generations" | while read -r gen; do
    if [[ $gen != *.tmp ]] && compgen -G "$DATA/generations/$gen/dump.sql*" >/dev/null; then printf ' %s' "$gen"; fi
  done
}

report() {
  say "WordPress serves the newest post #$newest_id \"$newest_title\" for $SITE_HOST"
  echo "$NEWEST_POST_TAG $newest_id"
  [ "$checked_scheme" != https ] || echo "$TLS_CA_TAG $(base64 -w0 "$checked_ca")"
  echo "$RECOVERY_POINTS_TAG$(restorable)"
  cat "$live/record.json"
}

if site_check "$SITE_HOST" 127.0.0.1 "$live/www"; then
  if $deciding; then
    mark_verified
    say "${current#generations/} is verified live"
    fault_point after-mark
    prune
  fi
  report
  exit 0
fi
$deciding || fail "$site_problem"

problem=$site_problem
say "${current#generations/} fails through the real site: $problem"
"$BIN/pra-activate"
back=$(link_of current)
failed="$FAILED_TAG ${current#generations/} failed its check through the real site ($problem)"
if [ "$back" = "$current" ]; then
  echo "$failed; no earlier generation was verified: nothing verified serves"
  echo "{}"
elif site_check "$SITE_HOST" 127.0.0.1 "$live/www"; then
  echo "$failed; rolled back: ${back#generations/} serves again"
  report
else
  say "${back#generations/} fails too: $site_problem"
  echo "$failed; rolled back to ${back#generations/}, which fails too ($site_problem): nothing verified serves"
  echo "{}"
fi
