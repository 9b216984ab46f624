#!/bin/bash
# dump-standby: streams a consistent dump of the standby's live schema to stdout, compressed. Runs as
# root on the standby (failback).
set -euo pipefail
# shellcheck source=../lib/standby-site.sh
source "$PRA_LIB/standby-site.sh"

live=$(wp_db_name "$DATA/current/www/wp-config.php")
mariadb-dump --single-transaction --quick --hex-blob --routines --events --triggers --default-character-set=utf8mb4 --max-allowed-packet=1G --skip-comments "$live" | gzip -1
