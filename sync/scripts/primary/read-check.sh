#!/bin/bash
# read-check: what `npm run doctor` asks of the primary before any sync, read-only: the web root, its
# wp-config.php and wp-includes/, the Apache site file (APACHE_SITE_CONFIG), and every certificate and
# key file the site file references (SSLCertificateFile, SSLCertificateKeyFile, SSLCertificateChainFile),
# readable as the sync reads them (root). Prints one line per problem, `problem <finding><TAB><fix>`, then
# `checked`; exits 0 either way, so that every problem is listed at once. Never prints a file's content.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
: "${WEB_ROOT:?}" "${APACHE_SITE_CONFIG:?}"

# problem FINDING FIX
problem() { printf 'problem %s\t%s\n' "$1" "$2"; }

if [ ! -d "$WEB_ROOT" ]; then
  problem "the web root $WEB_ROOT is missing" "set webRoot to the directory holding wp-config.php"
else
  [ -r "$WEB_ROOT/wp-config.php" ] || problem "$WEB_ROOT/wp-config.php is missing or unreadable" "set webRoot to the WordPress root"
  [ -d "$WEB_ROOT/wp-includes" ] || problem "$WEB_ROOT/wp-includes/ is missing: $WEB_ROOT is not a WordPress root" "set webRoot to the WordPress root"
fi

if [ ! -r "$APACHE_SITE_CONFIG" ]; then
  problem "the Apache site file $APACHE_SITE_CONFIG is missing or unreadable" "set apacheSiteConfig to the blog's site file"
else
  # Directive, then the path (optionally quoted); comments skipped. Paths with spaces are not supported by PRA.
  while read -r directive path; do
    path=${path//\"/}
    if [ ! -e "$path" ]; then
      problem "$directive $path (in $APACHE_SITE_CONFIG) does not exist" "fix the site file or restore the file: the standby could not serve HTTPS without it"
    elif [ ! -r "$path" ]; then
      problem "$directive $path (in $APACHE_SITE_CONFIG) is unreadable as root" "check the file (the sync copies it as root)"
    fi
  done < <(sed -nE 's/^[[:space:]]*(SSLCertificateFile|SSLCertificateKeyFile|SSLCertificateChainFile)[[:space:]]+([^[:space:]#]+).*/\1 \2/p' "$APACHE_SITE_CONFIG")
fi
echo checked
