#!/bin/bash
# read-db-credentials: prints the site's database credentials from its own wp-config.php (under
# WEB_ROOT) as JSON on stdout, for the sync's hashing connection. Runs as root on the primary, with
# the script on stdin.
set -euo pipefail
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/primary-wpconfig-reader.sh
source "$PRA_LIB/primary-wpconfig-reader.sh"
: "${WEB_ROOT:?}"

php "$wpconfig_reader" "$WEB_ROOT/wp-config.php" json
