# shellcheck shell=bash
# What every PRA script shares: messages under the script's name (PRA_TAG, from the generated header),
# failing with exit 1, the run id check, and the MariaDB client as root (on the default socket, or
# through the option file $mysql_root_defaults when a script sets it: primary-db.sh does).
: "${PRA_TAG:?}"

say() { echo "$PRA_TAG: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
run_id_ok() { [[ "$1" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || fail "bad run id '$1'"; }
# shellcheck disable=SC2120 # called with options, or with the SQL on stdin and no arguments at all
mysql_root() {
  mariadb ${mysql_root_defaults:+"--defaults-extra-file=$mysql_root_defaults"} \
    --default-character-set=utf8mb4 --max-allowed-packet=1G "$@"
}
