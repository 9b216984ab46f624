# shellcheck shell=bash
# site_check HOST ADDRESS WWW [GENERATION]: does WordPress, asked for the blog's own host name on
# ADDRESS through this instance's Apache, serve the copy in WWW? It asks in the scheme the site really
# uses (WP_HOME, else the `home` option): http on port 80, or https on 443 with the certificate
# verified against the generation's carried CA (tls-site.sh), never without. The home page must answer 200, show
# the newest published post of WWW's own database (themes mark each post with id="post-N" or class
# "post-N"; titles are rewritten by wptexturize) and carry no WP Super Cache trace. With GENERATION, the
# answer must also carry the preview's X-PRA-Generation header: a request that reached another site
# proves nothing. A few attempts, since a graceful restart lets old workers finish. Sets newest_id and
# newest_title, and checked_scheme (http or https) with checked_ca (the CA file for https); on failure
# returns 1 with the reason in site_problem.
# Needs common.sh, standby-data.sh, sql-names.sh, wp-config.sh and tls-site.sh.

# site_scheme WWW SCHEMA PREFIX: https or http, as the site's own address says.
site_scheme() {
  local home
  home=$(php "${wpconfig_reader:?}" "$1/wp-config.php" home) || return 1
  [ -n "$home" ] || home=$(mysql_root -N -B "$2" -e "SELECT option_value FROM \`${3}options\` WHERE option_name = 'home'") || return 1
  case "$home" in https://*) echo https ;; *) echo http ;; esac
}

site_check() {
  local host="$1" address="$2" www="$3" generation="${4:-}" schema prefix newest code body headers attempt scheme ca
  local -a how
  # Called as a condition, where set -e is off: a name refused in SQL ends the script all the same.
  schema=$(wp_db_name "$www/wp-config.php") || exit 1
  prefix=$(wp_table_prefix "$www/wp-config.php") || exit 1
  site_problem=""
  if ! scheme=$(site_scheme "$www" "$schema" "$prefix"); then
    site_problem="cannot read the site's address (WP_HOME or the home option) from $www/wp-config.php or $schema"
    return 1
  fi
  if [ "$scheme" = https ]; then
    ca="$(tls_of "$www")/pra/ca.pem"
    [ -s "$ca" ] || { site_problem="the site's address is https, but no certificate came with the primary's site config"; return 1; }
    how=(--cacert "$ca" --resolve "$host:443:$address" "https://$host/")
  else
    how=(--resolve "$host:80:$address" "http://$host/")
  fi
  # shellcheck disable=SC2034 # read by pra-verify, which tells the outside check what to trust
  checked_scheme=$scheme checked_ca=${ca:-}
  if ! newest=$(mysql_root -N -B "$schema" -e "SELECT ID, post_title FROM \`${prefix}posts\` WHERE post_status = 'publish' AND post_type = 'post' ORDER BY post_date DESC, ID DESC LIMIT 1"); then
    site_problem="cannot read the newest post from $schema"
    return 1
  fi
  [ -n "$newest" ] || { site_problem="the database $schema has no published post"; return 1; }
  newest_id=${newest%%$'\t'*}
  newest_title=${newest#*$'\t'}
  body=$(mktemp)
  headers=$(mktemp)
  for attempt in 1 2 3 4 5; do
    site_problem=""
    if ! code=$(curl -sS --max-time 30 -o "$body" -D "$headers" -w '%{http_code}' "${how[@]}" 2>"$body.err"); then
      site_problem="Apache did not answer for $scheme://$host/ on $address: $(tail -n1 "$body.err")"
    elif [ -n "$generation" ] && ! grep -qixF "x-pra-generation: $generation"$'\r' "$headers"; then
      site_problem="$address did not answer from generation $generation"
    elif [ "$code" != 200 ]; then
      site_problem="WordPress answered HTTP $code for $scheme://$host/ on $address (want 200)"
    elif ! grep -Eq "post-$newest_id([^0-9]|$)" "$body"; then
      site_problem="the home page does not show the newest post #$newest_id \"$newest_title\""
    elif grep -qi 'wp-super-cache\|supercache' "$headers" "$body"; then
      site_problem="a WP Super Cache page or header is still served"
    fi
    [ -n "$site_problem" ] || break
    [ "$attempt" -eq 5 ] || sleep 1
  done
  rm -f "$body" "$body.err" "$headers"
  [ -z "$site_problem" ]
}
