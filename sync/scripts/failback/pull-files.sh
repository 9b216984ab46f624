#!/bin/bash
# pull-files: pulls the standby's live web root back into the primary's (WEB_ROOT), then proves both
# trees are equal. The primary keeps what is its own: its config, and what the standby's clean-up
# changed. Runs as root on the primary, with the script on stdin.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$PRA_LIB/common.sh"
# shellcheck source=../lib/private-tmp.sh
source "$PRA_LIB/private-tmp.sh"
# shellcheck source=../lib/standby-ssh.sh
source "$PRA_LIB/standby-ssh.sh"
# shellcheck source=../lib/tree-digest.sh
source "$PRA_LIB/tree-digest.sh"
: "${WEB_ROOT:?}" "${STANDBY_CURRENT:?}"

primary_owned=(./wp-config.php ./.htaccess ./.maintenance ./wp-content/advanced-cache.php ./wp-content/object-cache.php)
excludes=()
for f in "${primary_owned[@]}"; do excludes+=("--exclude=${f#.}"); done
dst=$WEB_ROOT
rc=0
rsync -aH --delete "${excludes[@]}" --exclude=/wp-content/cache/ --timeout=300 -e "$standby_ssh" --rsync-path="sudo -n rsync" \
  "$STANDBY_LOGIN:$STANDBY_CURRENT/www/" "$dst/" || rc=$?
[ "$rc" -eq 0 ] || { say "rsync from the standby failed (exit $rc)"; exit "$rc"; }
there=$(ssh_standby "sudo -n bash -s" <<PRA_REMOTE
$(declare -f tree_digest)
tree_digest $(printf '%q ' "$STANDBY_CURRENT/www" "${primary_owned[@]}")
PRA_REMOTE
)
here=$(tree_digest "$dst" "${primary_owned[@]}")
[ "${there%% *}" = "${here%% *}" ] || fail "files differ after the copy (standby $there, primary $here)"
echo "pra-failback: files back on the primary ($here)"
