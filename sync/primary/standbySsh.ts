import { knownHostsLine } from "../knownHosts";

export interface StandbyEndpoint {
  host: string;
  port: number;
  user: string;
  /** The pinned ed25519 host public key. */
  hostPublicKey: string;
  /** Name the key is pinned under. */
  hostKeyAlias: string;
}

/** OpenSSH options that pin the standby's host key: strict checking against our own known_hosts file, never off. */
export function pinnedSshOptions(e: StandbyEndpoint, keyFile: string, knownHostsFile: string): string[] {
  return [
    "-i",
    keyFile,
    "-p",
    String(e.port),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${knownHostsFile}`,
    "-o",
    `HostKeyAlias=${e.hostKeyAlias}`,
    "-o",
    "ConnectTimeout=15",
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "ServerAliveCountMax=4",
  ];
}

/**
 * Bash lines that put the standby's login key and pinned known_hosts into a private temp dir (removed
 * on exit) and define `standby_ssh` (an ssh command line) and `$standby` (user@host). The key arrives
 * inside the script, which itself arrives on stdin: never on argv, never in a log.
 */
export function standbySshPrelude(e: StandbyEndpoint, privateKey: string): string {
  const key = privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`;
  // mktemp paths hold no spaces, so the option string splits cleanly (rsync -e splits on spaces too).
  const opts = pinnedSshOptions(e, "$pra_tmp/key", "$pra_tmp/known_hosts");
  return `umask 077
pra_tmp=$(mktemp -d)
trap 'rm -rf "$pra_tmp"' EXIT
cat > "$pra_tmp/key" <<'PRA_STANDBY_KEY'
${key}PRA_STANDBY_KEY
cat > "$pra_tmp/known_hosts" <<'PRA_KNOWN_HOSTS'
${knownHostsLine(e.hostKeyAlias, undefined, e.hostPublicKey)}
PRA_KNOWN_HOSTS
standby_ssh="ssh ${opts.join(" ")}"
standby='${e.user}@${e.host}'
`;
}
