#!/bin/bash
# pra-activate: puts the live generation in place on this instance: the web root symlink (WEB_ROOT,
# the primary's path), the Apache site (SITE_CONFIG) and the site's database user and its grants on the
# generation's schema. Runs at every boot (a replaced instance has a fresh root disk) and for every
# failover or drill: first, a generation made live but never proved (a run killed after its flip) gives
# way to the last verified one. `pra-activate --after-switch` (from pra-switch) keeps the generation it
# just made live. `pra-activate --failover` first gives the failover its own copy of the files;
# `pra-activate --check-config FILE` only proves Apache accepts FILE. Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/standby-generations.sh
source "$PRA_LIB/standby-generations.sh"
# shellcheck source=../lib/apache-enable.sh
source "$PRA_LIB/apache-enable.sh"
: "${WEB_ROOT:?}" "${SITE_CONFIG:?}" "${PREVIEW_CONFIG:?}"

webroot=$WEB_ROOT
site=$SITE_CONFIG

# check_config FILE install|probe: installs FILE as the site, unless Apache rejects it. A probe puts the
# live site file back either way: a candidate's config must not reach the live site before its flip.
check_config() {
  local candidate="$1" mode="$2" backup="" out ok=true
  [ -f "$site" ] && { backup=$(mktemp); cp -p "$site" "$backup"; }
  cp "$candidate" "$site"
  # The modules the primary's site uses: rewrite (redirects), headers (HSTS), ssl when it serves TLS.
  apache_mods_on rewrite headers
  # (any SSL directive: SSLEngine itself often sits in an Included options file, and a site wrapped in
  # <IfModule mod_ssl.c> would otherwise pass configtest with nothing on 443).
  if grep -qiE '^[[:space:]]*SSL[A-Za-z]+[[:space:]]' "$candidate"; then apache_mods_on ssl; fi
  apache_site_on pra-site
  out=$(apache2ctl configtest 2>&1) || ok=false
  if ! $ok || [ "$mode" = probe ]; then
    if [ -n "$backup" ]; then mv -f "$backup" "$site"; else rm -f "$site"; apache_site_off pra-site; fi
  fi
  if ! $ok; then
    echo "$out" >&2
    fail "Apache rejects the primary's site config ($candidate): live site config kept"
  fi
  [ -z "$backup" ] || rm -f "$backup"
  say "Apache accepts the site config"
}

if [ "${1:-}" = "--check-config" ]; then check_config "${2:?usage: pra-activate --check-config FILE}" probe; exit 0; fi
[ "${1:-}" = "--after-switch" ] || rollback_unverified
[ -d "$DATA/current/www" ] || { say "no recovery point yet: nothing to activate"; exit 0; }

# A failover serves (and lets WordPress write to) its own copy of the files: generations share
# unchanged files as hard links, and an in-place write would otherwise alter every recovery point.
if [ "${1:-}" = "--failover" ]; then
  case "$(readlink "$DATA/current")" in
    generations/failover-*) say "already serving failover copy $(readlink "$DATA/current")" ;;
    *)
      fo="failover-$(date -u +%Y%m%dT%H%M%SZ)"
      rm -rf "$DATA"/generations/failover-*.tmp
      mkdir -p "$DATA/generations/$fo.tmp"
      cp -a "$DATA/current/www" "$DATA/current/apache" "$DATA/generations/$fo.tmp/"
      [ ! -d "$DATA/current/tls" ] || cp -a "$DATA/current/tls" "$DATA/generations/$fo.tmp/"
      cp -al "$DATA/current/record.json" "$DATA/generations/$fo.tmp/"
      mv -T "$DATA/generations/$fo.tmp" "$DATA/generations/$fo"
      ln -sfn "generations/$fo" "$DATA/current.new"
      mv -Tf "$DATA/current.new" "$DATA/current"
      say "serving failover copy $fo (recovery points stay untouched)"
      ;;
  esac
fi

# The primary's web root path becomes a symlink into the live generation.
if [ -e "$webroot" ] && [ ! -L "$webroot" ]; then mv -T "$webroot" "$webroot.pra-orig"; fi
mkdir -p "$(dirname "$webroot")"
ln -sfn "$DATA/current/www" "$webroot.pra-new"
mv -Tf "$webroot.pra-new" "$webroot"
fault_point after-symlink

check_config "$DATA/current/apache/site.conf" install
apache_site_off 000-default
# A switch killed during its preview may have left the candidate's loopback site enabled.
apache_site_off "$(basename "$PREVIEW_CONFIG" .conf)"
rm -f "$PREVIEW_CONFIG"
apache_mods_on rewrite
php "$wpconfig_reader" "$DATA/current/www/wp-config.php" user-sql | mysql_root
apache2ctl graceful >/dev/null 2>&1 || apache2ctl start
say "serving recovery point $(readlink "$DATA/current")"
