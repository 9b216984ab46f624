#!/bin/bash
# pra-verify: proves WordPress itself serves the live copy: the home page, asked for the blog's own host
# name (SITE_HOST) through this instance's Apache, answers 200, shows the newest published post, and
# carries no WP Super Cache trace. Prints "NEWEST_POST_TAG <id>" and, last, the live recovery point's
# record (sync/verifyReport.ts reads both). Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
# shellcheck source=../lib/sql-names.sh
source "$PRA_LIB/sql-names.sh"
# shellcheck source=../lib/wp-config.sh
source "$PRA_LIB/wp-config.sh"
: "${SITE_HOST:?}" "${NEWEST_POST_TAG:?}"

host=$SITE_HOST
gen="$DATA/current"
[ -f "$gen/record.json" ] || fail "no live recovery point on $DATA"
live=$(wp_db_name "$gen/www/wp-config.php")
prefix=$(wp_table_prefix "$gen/www/wp-config.php")
newest=$(mysql_root -N -B "$live" -e "SELECT ID, post_title FROM \`${prefix}posts\` WHERE post_status = 'publish' AND post_type = 'post' ORDER BY post_date DESC, ID DESC LIMIT 1")
[ -n "$newest" ] || fail "the live database has no published post"
newest_id=${newest%%$'\t'*}
newest_title=${newest#*$'\t'}
body=$(mktemp); headers=$(mktemp); trap 'rm -f "$body" "$headers"' EXIT
code=$(curl -sS --max-time 30 -o "$body" -D "$headers" -w '%{http_code}' --resolve "$host:80:127.0.0.1" "http://$host/") ||
  fail "Apache did not answer for $host"
[ "$code" = 200 ] || fail "WordPress answered HTTP $code for http://$host/ (want 200)"
# Themes mark each post with its id (id="post-N" or class "post-N"); titles are rewritten by wptexturize.
grep -Eq "post-$newest_id([^0-9]|$)" "$body" || fail "the home page does not show the newest post #$newest_id \"$newest_title\""
if grep -qi 'wp-super-cache\|supercache' "$headers" "$body"; then fail "a WP Super Cache page or header is still served"; fi
say "WordPress serves the newest post #$newest_id \"$newest_title\" for $host"
echo "$NEWEST_POST_TAG $newest_id"
cat "$gen/record.json"
