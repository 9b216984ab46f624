#!/bin/bash
# pra-restore RUN: makes an older recovery point live (failover onto a chosen point): re-imports its
# dump into its own schema with the same hash verification as a sync, proves WordPress serves it on
# the loopback preview site (the same check as a switch), then flips `current` (files and database at
# once) and records it as the verified generation. Nothing changes until both checks passed.
# Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/standby-generations.sh
source "$PRA_LIB/standby-generations.sh"
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

run="${1:?usage: pra-restore RUN}"
run_id_ok "$run"
gen="$DATA/generations/$run"
# shellcheck disable=SC2012 # generation names are run ids (run_id_ok): ls -t lists them newest first
[ -d "$gen" ] || fail "no recovery point $run; kept: $(ls -1t "$DATA/generations" | tr '\n' ' ')"
if [ "$(link_of current)" = "generations/$run" ]; then say "recovery point $run is already live"; exit 0; fi
schema=$(gen_schema "$run")
if [ -f "$DATA/current/www/wp-config.php" ] && [ "$(wp_db_name "$DATA/current/www/wp-config.php")" = "$schema" ]; then
  say "recovery point $run already serves (as $(link_of current))"; exit 0
fi
# A generation kept from before each had its own schema names the old live one: it gets its own.
point_at_schema "$gen/www/wp-config.php" "$schema"
rm -f "$gen/db-verified"
"$BIN/pra-import" "$run"
php "$wpconfig_reader" "$gen/www/wp-config.php" user-sql | mysql_root
preview_on "$gen/www" "$run"
if ! site_check "$SITE_HOST" "$PREVIEW_ADDRESS" "$gen/www" "$run"; then
  preview_off
  apache_reload
  fail "recovery point $run does not serve: $site_problem. Live copy kept: $(link_of current)"
fi
preview_off
link_atomically "generations/$run" verified
rm -f "$DATA/pending"
link_atomically "generations/$run" current
fault_point after-flip
say "recovery point $run is live"
