# shellcheck shell=bash
# A candidate generation served before it goes live: an Apache site on PREVIEW_ADDRESS:80 (a loopback
# address, never reachable from outside) whose DocumentRoot is the candidate's own web root, for the
# blog's host name, marked with an X-PRA-Generation header so the check knows it reached the candidate.
# The candidate's own Apache config was already proved to load (pra-activate --check-config); this one
# proves WordPress serves the candidate's files from its own database.
# Needs common.sh; SITE_HOST, PREVIEW_ADDRESS and PREVIEW_CONFIG (the site file) from the generated header.
: "${SITE_HOST:?}" "${PREVIEW_ADDRESS:?}" "${PREVIEW_CONFIG:?}"
# PRA_PREVIEW_CONFIG points it elsewhere (the tests do, as PRA_DATA does for the volume).
preview_conf="${PRA_PREVIEW_CONFIG:-$PREVIEW_CONFIG}"
preview_site=$(basename "$preview_conf" .conf)

apache_reload() { apache2ctl graceful >/dev/null 2>&1 || apache2ctl start; }

# preview_on WWW GENERATION
preview_on() {
  local www="$1" generation="$2"
  cat > "$preview_conf.new" <<PRA_PREVIEW
# Written by PRA: generation $generation, served on $PREVIEW_ADDRESS only, before it goes live.
<VirtualHost $PREVIEW_ADDRESS:80>
  ServerName $SITE_HOST
  DocumentRoot "$www"
  Header always set X-PRA-Generation "$generation"
  <Directory "$www">
    Options FollowSymLinks
    AllowOverride All
    Require all granted
  </Directory>
</VirtualHost>
PRA_PREVIEW
  mv -f "$preview_conf.new" "$preview_conf"
  a2enmod -q headers rewrite >/dev/null
  a2ensite -q "$preview_site" >/dev/null
  apache2ctl configtest >/dev/null 2>&1 || { preview_off; fail "Apache rejects the preview site of generation $generation"; }
  apache_reload
}

preview_off() {
  a2dissite -q "$preview_site" >/dev/null 2>&1 || true
  rm -f "$preview_conf"
}
