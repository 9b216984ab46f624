#!/bin/bash
# maintenance: puts WordPress on the standby into (MAINTENANCE=on) or out of (off) maintenance: while
# its data is copied back, no new post or comment may land where it would be lost. The timestamp is far
# ahead because WordPress ignores a .maintenance older than ten minutes. Runs as root on the standby.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/standby-data.sh
source "$PRA_LIB/standby-data.sh"
: "${MAINTENANCE:?}"

file="$DATA/current/www/.maintenance"
case "$MAINTENANCE" in
  on)
    # shellcheck disable=SC2016 # PHP code: its $ is PHP's
    echo '<?php $upgrading = 4102444800; // PRA failback in progress' > "$file"
    chown www-data:www-data "$file"
    ;;
  off) rm -f "$file" ;;
  *) fail "MAINTENANCE is on or off, not '$MAINTENANCE'" ;;
esac
