# shellcheck shell=bash
# site_check HOST ADDRESS WWW [GENERATION]: does WordPress, asked for the blog's own host name on
# ADDRESS:80 through this instance's Apache, serve the copy in WWW? The home page must answer 200, show
# the newest published post of WWW's own database (themes mark each post with id="post-N" or class
# "post-N"; titles are rewritten by wptexturize) and carry no WP Super Cache trace. With GENERATION, the
# answer must also carry the preview's X-PRA-Generation header: a request that reached another site
# proves nothing. Attempts every 0.2 s for about 5 s, since a graceful restart returns before the new
# workers serve (a 1 s step would make every switch wait most of a second for nothing). Sets newest_id and
# newest_title; on failure returns 1 with the reason in site_problem.
# Needs common.sh, standby-data.sh, sql-names.sh and wp-config.sh.
site_check() {
  local host="$1" address="$2" www="$3" generation="${4:-}" schema prefix newest code body headers attempt
  # Called as a condition, where set -e is off: a name refused in SQL ends the script all the same.
  schema=$(wp_db_name "$www/wp-config.php") || exit 1
  prefix=$(wp_table_prefix "$www/wp-config.php") || exit 1
  site_problem=""
  if ! newest=$(mysql_root -N -B "$schema" -e "SELECT ID, post_title FROM \`${prefix}posts\` WHERE post_status = 'publish' AND post_type = 'post' ORDER BY post_date DESC, ID DESC LIMIT 1"); then
    site_problem="cannot read the newest post from $schema"
    return 1
  fi
  [ -n "$newest" ] || { site_problem="the database $schema has no published post"; return 1; }
  newest_id=${newest%%$'\t'*}
  newest_title=${newest#*$'\t'}
  body=$(mktemp)
  headers=$(mktemp)
  for ((attempt = 1; attempt <= 25; attempt++)); do
    site_problem=""
    if ! code=$(curl -sS --max-time 30 -o "$body" -D "$headers" -w '%{http_code}' --resolve "$host:80:$address" "http://$host/"); then
      site_problem="Apache did not answer for $host on $address"
    elif [ -n "$generation" ] && ! grep -qixF "x-pra-generation: $generation"$'\r' "$headers"; then
      site_problem="$address did not answer from generation $generation"
    elif [ "$code" != 200 ]; then
      site_problem="WordPress answered HTTP $code for http://$host/ on $address (want 200)"
    elif ! grep -Eq "post-$newest_id([^0-9]|$)" "$body"; then
      site_problem="the home page does not show the newest post #$newest_id \"$newest_title\""
    elif grep -qi 'wp-super-cache\|supercache' "$headers" "$body"; then
      site_problem="a WP Super Cache page or header is still served"
    fi
    [ -n "$site_problem" ] || break
    [ "$attempt" -eq 25 ] || sleep 0.2
  done
  rm -f "$body" "$headers"
  [ -z "$site_problem" ]
}
