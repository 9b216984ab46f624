export interface StandbyParams {
  /** Path of the web root on the primary; on the standby it becomes a symlink into the live generation. */
  webRoot: string;
  /** The blog's host name, for the local health check. */
  siteHostname: string;
  /** How many recovery points (generations) to keep. */
  keep: number;
  /** Refuse a generation that loses more than this share of the previous one's files. */
  maxDeletePercent: number;
}

/** The lines every standby script starts with. */
export function prelude(step: string): string {
  return `#!/bin/bash
# Rendered by PRA (sync/standby). Runs as root on the standby.
set -euo pipefail
DATA="\${PRA_DATA:-/srv/pra}"
BIN="$DATA/bin"
fail() { echo "pra-${step}: $*" >&2; exit 1; }
say() { echo "pra-${step}: $*" >&2; }
run_id_ok() { [[ "$1" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || fail "bad run id '$1'"; }
mysql_root() { mariadb --default-character-set=utf8mb4 --max-allowed-packet=1G "$@"; }
`;
}
