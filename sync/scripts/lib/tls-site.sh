# shellcheck shell=bash
# A generation's TLS on the standby. The primary sent the files its site names into GEN/tls/<their own
# absolute path> (push-files.sh); tls_prepare GEN checks each arrived, keeps them root-only, and
# writes GEN/apache/site.conf from the primary's (kept as site.primary.conf) with those paths under
# $DATA/current/tls: whichever generation is live, its site file names its own certificate. It also
# leaves, in GEN/tls/pra/:
#   cert.pem, key.pem   links to the site's (first) certificate and key, for the preview site;
#   ca.pem              what a verifying client trusts: the chain after the leaf (or the chain file),
#                       the leaf itself when self-signed. curl accepts an intermediate as trust anchor;
#   certificate.json    {"names": [...], "notAfter": "<ISO UTC>"}, for the recovery point's record.
# A site without TLS directives gets its site file as is and no tls/. Idempotent (a resumed switch).
# Needs common.sh, standby-data.sh and tls-refs.sh.

tls_prepare() {
  local gen="$1" directive path cert="" key="" chain="" end names
  local conf="$gen/apache/site.conf" orig="$gen/apache/site.primary.conf" tls="$gen/tls"
  [ -f "$orig" ] || cp -p "$conf" "$orig"
  if [ -z "$(tls_refs "$orig")" ]; then
    cp "$orig" "$conf"
    rm -rf "$tls"
    return 0
  fi
  [ -d "$tls" ] || fail "the primary's site config names files outside Apache's tree ($(tls_refs "$orig" | cut -d' ' -f2 | paste -sd' ')), but none arrived"
  chown -R root:root "$tls"
  chmod -R go-rwx "$tls"
  while read -r directive path; do
    if [ ! -e "$tls$path" ]; then
      [ "${directive,,}" != includeoptional ] || continue
      fail "$path (named by $directive in the primary's site config) did not arrive"
    fi
    case "${directive,,}" in
      sslcertificatefile) [ -n "$cert" ] || cert=$path ;;
      sslcertificatekeyfile) [ -n "$key" ] || key=$path ;;
      sslcertificatechainfile) [ -n "$chain" ] || chain=$path ;;
    esac
  done < <(tls_refs "$orig")
  tls_rewrite "$orig" "$DATA/current/tls" > "$conf.new"
  mv -f "$conf.new" "$conf"
  [ -n "$cert" ] || return 0
  mkdir -p "$tls/pra"
  ln -sfn "..$cert" "$tls/pra/cert.pem"
  ln -sfn "..${key:-$cert}" "$tls/pra/key.pem"
  {
    # Certificate blocks only: a chain file may be a combined PEM holding the key too, and ca.pem is
    # published (pra-verify's tls-ca line, the standbyCheck output).
    [ -z "$chain" ] ||
      awk '/-----BEGIN CERTIFICATE-----/ { inside = 1 } inside { print } /-----END CERTIFICATE-----/ { inside = 0 }' "$tls$chain"
    awk '/-----BEGIN CERTIFICATE-----/ { n++; inside = 1 } inside && n > 1 { print } /-----END CERTIFICATE-----/ { inside = 0 }' "$tls$cert"
  } > "$tls/pra/ca.pem.new"
  [ -s "$tls/pra/ca.pem.new" ] || openssl x509 -in "$tls$cert" > "$tls/pra/ca.pem.new"
  mv -f "$tls/pra/ca.pem.new" "$tls/pra/ca.pem"
  end=$(openssl x509 -in "$tls$cert" -noout -enddate) || fail "$cert (SSLCertificateFile) is not a certificate openssl can read"
  end=$(date -u -d "${end#notAfter=}" +%Y-%m-%dT%H:%M:%SZ)
  names=$(openssl x509 -in "$tls$cert" -noout -ext subjectAltName 2>/dev/null | grep -o 'DNS:[^, ]*' | sed 's/^DNS://' || true)
  [ -n "$names" ] || names=$(openssl x509 -in "$tls$cert" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
  # shellcheck disable=SC2016 # PHP code: its $ are PHP's
  php -r 'echo json_encode(["names" => array_values(array_filter(explode("\n", $argv[1]))), "notAfter" => $argv[2]], JSON_UNESCAPED_SLASHES), "\n";' \
    "$names" "$end" > "$tls/pra/certificate.json"
  say "TLS: certificate for $(echo "$names" | paste -sd' ') until $end"
}

# tls_of WWW: the TLS directory of the generation whose web root is WWW.
tls_of() { echo "$(dirname "$1")/tls"; }
