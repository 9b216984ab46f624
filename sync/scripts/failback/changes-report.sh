#!/bin/bash
# changes-report: what changed on the standby since its recovery point was taken: posts and pages
# edited or created, comments, uploads. Tab-separated lines on stdout: kind, id, detail...
# Runs as root on the standby (failback).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"

www="$DATA/current/www"
live=$(wp_db_name "$www/wp-config.php")
prefix=$(wp_table_prefix "$www/wp-config.php")
# shellcheck disable=SC2016 # PHP code: its $ are PHP's
snap=$(php -r '$r = json_decode(file_get_contents($argv[1]), true); echo substr(str_replace("T", " ", $r["snapshotTime"]), 0, 19);' "$DATA/current/record.json")
[[ $snap =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] ||
  fail "$DATA/current/record.json: snapshotTime '$snap' is not a UTC time: refusing to use it in SQL"
printf 'since\t%s\n' "$snap"
mariadb -N -B "$live" <<SQL
SELECT 'post', ID, post_type, post_status, REPLACE(post_title, '\t', ' '), post_modified_gmt FROM \`${prefix}posts\`
  WHERE post_modified_gmt > '$snap' AND post_type IN ('post', 'page', 'attachment') ORDER BY ID;
SELECT 'comment', comment_ID, comment_post_ID, REPLACE(comment_author, '\t', ' '), LEFT(REPLACE(REPLACE(comment_content, '\n', ' '), '\t', ' '), 60), comment_date_gmt
  FROM \`${prefix}comments\` WHERE comment_date_gmt > '$snap' ORDER BY comment_ID;
SQL
if [ -d "$www/wp-content/uploads" ]; then
  find "$www/wp-content/uploads" -type f -newermt "$snap UTC" -printf 'upload\t%P\t%s\n' | LC_ALL=C sort
fi
