#!/bin/bash
# pra-restore RUN: makes an older recovery point live (failover onto a chosen point): re-imports its
# dump into staging with the same hash verification as a sync, flips `current`, swaps the database.
# Nothing changes until the verification passed. Runs as root on the standby.
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
# shellcheck source=../lib/swap-database.sh
source "$PRA_LIB/swap-database.sh"

run="${1:?usage: pra-restore RUN}"
run_id_ok "$run"
gen="$DATA/generations/$run"
# shellcheck disable=SC2012 # generation names are run ids (run_id_ok): ls -t lists them newest first
[ -d "$gen" ] || fail "no recovery point $run; kept: $(ls -1t "$DATA/generations" | tr '\n' ' ')"
if [ "$(readlink "$DATA/current")" = "generations/$run" ]; then say "recovery point $run is already live"; exit 0; fi
rm -f "$gen/db-verified"
"$BIN/pra-import" "$run"
live=$(wp_db_name "$gen/www/wp-config.php")
staging=$(wp_staging_schema "$gen/www/wp-config.php")
ln -sfn "generations/$run" "$DATA/current.new"
mv -Tf "$DATA/current.new" "$DATA/current"
fault_point after-files-flip
swap_database "$live" "$staging"
say "recovery point $run is live"
