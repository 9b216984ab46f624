#!/bin/bash
# run-hashes: runs the hash SQL given on stdin against the standby's live schema. Runs as root on the
# standby (failback).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"

live=$(wp_db_name "$DATA/current/www/wp-config.php")
mariadb -N -B --default-character-set=utf8mb4 "$live"
