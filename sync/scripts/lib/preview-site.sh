# shellcheck shell=bash
# A candidate generation served before it goes live: an Apache site on PREVIEW_ADDRESS:80 (a loopback
# address, never reachable from outside) whose DocumentRoot is the candidate's own web root, for the
# blog's host name, marked with an X-PRA-Generation header so the check knows it reached the candidate.
# The candidate's own Apache config was already proved to load (pra-activate --check-config); this one
# proves WordPress serves the candidate's files from its own database. A candidate that brought a
# certificate (tls-site.sh) is also served on PREVIEW_ADDRESS:443 with it, for a site whose address is https.
# Needs common.sh, tls-site.sh, apache-enable.sh; SITE_HOST, PREVIEW_ADDRESS and PREVIEW_CONFIG (the site file) from the generated header.
: "${SITE_HOST:?}" "${PREVIEW_ADDRESS:?}" "${PREVIEW_CONFIG:?}"
# PRA_PREVIEW_CONFIG points it elsewhere (the tests do, as PRA_DATA does for the volume).
preview_conf="${PRA_PREVIEW_CONFIG:-$PREVIEW_CONFIG}"
preview_site=$(basename "$preview_conf" .conf)

apache_reload() { apache2ctl graceful >/dev/null 2>&1 || apache2ctl start; }

# preview_on WWW GENERATION
preview_vhost() {
  local port="$1" www="$2" generation="$3" tls="$4"
  cat <<PRA_PREVIEW
<VirtualHost $PREVIEW_ADDRESS:$port>
  ServerName $SITE_HOST
  DocumentRoot "$www"
  Header always set X-PRA-Generation "$generation"
${tls:+  SSLEngine on
  SSLCertificateFile "$tls/pra/cert.pem"
  SSLCertificateKeyFile "$tls/pra/key.pem"
}  <Directory "$www">
    Options FollowSymLinks
    AllowOverride All
    Require all granted
  </Directory>
</VirtualHost>
PRA_PREVIEW
}

preview_on() {
  local www="$1" generation="$2" tls
  tls=$(tls_of "$www")
  [ -e "$tls/pra/cert.pem" ] || tls=""
  {
    echo "# Written by PRA: generation $generation, served on $PREVIEW_ADDRESS only, before it goes live."
    preview_vhost 80 "$www" "$generation" ""
    [ -z "$tls" ] || preview_vhost 443 "$www" "$generation" "$tls"
  } > "$preview_conf.new"
  mv -f "$preview_conf.new" "$preview_conf"
  apache_mods_on headers rewrite ${tls:+ssl}
  apache_site_on "$preview_site"
  apache2ctl configtest >/dev/null 2>&1 || { preview_off; fail "Apache rejects the preview site of generation $generation"; }
  apache_reload
}

preview_off() {
  apache_site_off "$preview_site"
  rm -f "$preview_conf"
}
