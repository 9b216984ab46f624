# shellcheck shell=bash
# A private temp dir ($pra_tmp) for keys, option files, helpers and control sockets, removed when the
# script exits. A lib that must act before it goes (close an SSH master) adds a command to
# pra_exit_hooks.
umask 077
pra_tmp=$(mktemp -d)
pra_exit_hooks=()
pra_exit() {
  local hook
  for hook in "${pra_exit_hooks[@]}"; do "$hook" || true; done
  rm -rf "$pra_tmp"
}
trap pra_exit EXIT
