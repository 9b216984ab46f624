# shellcheck shell=bash
# The files an Apache site file needs from outside Apache's own tree: what its SSLCertificateFile,
# SSLCertificateKeyFile, SSLCertificateChainFile, SSLCACertificateFile, Include and IncludeOptional
# directives name (Let's Encrypt's options-ssl-apache.conf, say). Apache has no tool that dumps a
# site's directives (`apache2ctl -S` lists virtual hosts, not their files), so the site file itself is
# read, as Apache would: one directive a line, first word the directive, second its path, quotes or
# not. Paths under /etc/apache2 are Apache's own and exist on the standby's image; paths with spaces
# or wildcards are left alone (the standby's configtest then names them).
#   tls_refs FILE             prints "DIRECTIVE PATH" per reference
#   tls_rewrite FILE PREFIX   prints FILE with each such PATH replaced by PREFIX/PATH (quoted)
# shellcheck disable=SC2016 # awk code: its $ are awk's
tls_ref_filter='
  { line = $0; sub(/\r$/, "", line); split(line, w, /[ \t]+/); if (w[1] == "") { d = w[2]; p = w[3] } else { d = w[1]; p = w[2] } }
  { gsub(/"/, "", p); ref = tolower(d) ~ /^(sslcertificatefile|sslcertificatekeyfile|sslcertificatechainfile|sslcacertificatefile|include|includeoptional)$/ && p ~ /^\// && p !~ /^\/etc\/apache2\// && p !~ /[*?[]/ }'

tls_refs() {
  awk "$tls_ref_filter"' ref { print d, p }' "$1"
}

tls_rewrite() {
  awk -v pre="$2" "$tls_ref_filter"' ref { match(line, /^[ \t]*/); print substr(line, 1, RLENGTH) d " \"" pre p "\""; next } { print }' "$1"
}
