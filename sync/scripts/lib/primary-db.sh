# shellcheck shell=bash
# The primary's database as the sync resolved it once (sync/dbEndpoint.ts): DB_CLIENT_OPTIONS, in the
# generated header, are the option-file lines that reach it (protocol and socket, or protocol, host and
# port), never a password. Needs private-tmp.sh and primary-wpconfig-reader.sh first.
#   site_client_cnf WP_CONFIG  writes $site_cnf: a 0600 option file with the site's own credentials
#                              (from its wp-config.php, never argv) and the endpoint, for --defaults-file:
#                              no other option file can point the tools at another server.
#   mysql_root                 (common.sh) reaches the same server as root: its option file is set here.
: "${DB_CLIENT_OPTIONS:?}" "${pra_tmp:?}" "${wpconfig_reader:?}"
site_cnf="$pra_tmp/site.cnf"
site_client_cnf() {
  php "$wpconfig_reader" "$1" client-cnf > "$site_cnf" || fail "cannot read the database credentials from $1"
  printf '%s' "$DB_CLIENT_OPTIONS" >> "$site_cnf"
}
# Root's own ~/.my.cnf is still read after this file (its password, for a server reached over TCP).
printf '[client]\n%s' "$DB_CLIENT_OPTIONS" > "$pra_tmp/root.cnf"
# shellcheck disable=SC2034 # read by mysql_root in common.sh
mysql_root_defaults="$pra_tmp/root.cnf"
