#!/bin/bash
# run-hashes: runs the hash SQL given on stdin against the standby's live schema. Runs as root on the
# standby (failback).
set -euo pipefail
# shellcheck source=../lib/standby-site.sh
source "$PRA_LIB/standby-site.sh"

live=$(wp_db_name "$DATA/current/www/wp-config.php")
mariadb -N -B --default-character-set=utf8mb4 "$live"
