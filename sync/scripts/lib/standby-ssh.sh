# shellcheck shell=bash
# SSH to the standby from the primary, with the standby's host key pinned. The login key and the
# known_hosts line come in the generated header (STANDBY_PRIVATE_KEY, STANDBY_KNOWN_HOSTS) of a script
# that itself arrives on stdin: never on argv, never in a log. They are written into the private temp
# dir (private-tmp.sh). STANDBY_SSH_OPTIONS (an array, sync/primary/standbySsh.ts) pins the host key.
# Every ssh (and rsync's) of the script rides one connection: the first becomes the master, its control
# socket in the private temp dir; it is closed (ssh -O exit) when the script exits, and an orphaned
# one (the script killed) exits after 60 s idle.
#   ssh_standby ARGS...          runs ssh to STANDBY_LOGIN
#   rsync -e "$standby_ssh" ...  the same ssh as one string (paths from mktemp hold no spaces)
: "${STANDBY_PRIVATE_KEY:?}" "${STANDBY_KNOWN_HOSTS:?}" "${STANDBY_SSH_OPTIONS:?}" "${STANDBY_LOGIN:?}" "${pra_tmp:?}"
printf '%s\n' "${STANDBY_PRIVATE_KEY%$'\n'}" > "$pra_tmp/key"
printf '%s\n' "$STANDBY_KNOWN_HOSTS" > "$pra_tmp/known_hosts"
standby_ssh_options=(-i "$pra_tmp/key" -o "UserKnownHostsFile=$pra_tmp/known_hosts"
  -o ControlMaster=auto -o "ControlPath=$pra_tmp/standby.ctl" -o ControlPersist=60 "${STANDBY_SSH_OPTIONS[@]}")
# shellcheck disable=SC2034 # for rsync -e in the scripts that source this file
standby_ssh="ssh ${standby_ssh_options[*]}"

# shellcheck disable=SC2029 # the remote command is one string, built by the caller for the remote shell
ssh_standby() { ssh "${standby_ssh_options[@]}" "$STANDBY_LOGIN" "$@"; }

standby_ssh_close() {
  [ -S "$pra_tmp/standby.ctl" ] || return 0
  ssh "${standby_ssh_options[@]}" -O exit "$STANDBY_LOGIN" 2>/dev/null
}
pra_exit_hooks+=(standby_ssh_close)
