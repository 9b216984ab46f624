#!/bin/bash
# column-list: the base tables of the standby's live schema and their columns, one "table<TAB>column"
# line each, in order, for the hash SQL. Runs as root on the standby (failback).
set -euo pipefail
# shellcheck source=../lib/standby-site.sh
source "$PRA_LIB/standby-site.sh"

live=$(wp_db_name "$DATA/current/www/wp-config.php")
mariadb -N -B -e "SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = '$live' AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION"
