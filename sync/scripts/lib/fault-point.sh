# shellcheck shell=bash
# Deterministic faults for the lab tests. `fault_point NAME` marks a named point of a script. When the
# file ${PRA_FAULT_FILE:-/run/pra/fault} has a line "<script>:NAME" (script = PRA_SCRIPT from the
# generated header: pra-switch, pra-import, push-files, ...), the script says
# "<its tag>: fault injected at NAME" on stderr and SIGKILLs its own process group: what kill -9 or a
# power loss leaves behind at exactly that point (with sudo timeout ..., the group is timeout, the
# script and everything it started). Without the file (the normal case) it does nothing. /run is a
# fresh tmpfs at every boot and in every lab host, so a forgotten fault file cannot outlive a reboot.
: "${PRA_SCRIPT:?}" "${PRA_TAG:?}"

fault_point() {
  local file="${PRA_FAULT_FILE:-/run/pra/fault}"
  if [ -f "$file" ] && grep -qsxF -- "$PRA_SCRIPT:$1" "$file"; then
    echo "$PRA_TAG: fault injected at $1" >&2
    kill -KILL 0
  fi
}
