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

/** OpenSSH options that pin the host key to the alias, whatever files hold the login key and known_hosts. */
function pinnedHostOptions(e: StandbyEndpoint): string[] {
  return [
    "-p",
    String(e.port),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
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

/** OpenSSH options that pin the standby's host key: strict checking against our own known_hosts file, never off. */
export function pinnedSshOptions(e: StandbyEndpoint, keyFile: string, knownHostsFile: string): string[] {
  return ["-i", keyFile, "-o", `UserKnownHostsFile=${knownHostsFile}`, ...pinnedHostOptions(e)];
}

/**
 * The parameters of sync/scripts/lib/standby-ssh.sh: the standby's login key and pinned known_hosts
 * line (written to a private temp dir on the primary; the key arrives inside the script, which itself
 * arrives on stdin: never on argv, never in a log), the pinning options and user@host.
 */
export function standbySshParams(e: StandbyEndpoint, privateKey: string) {
  return {
    STANDBY_PRIVATE_KEY: privateKey,
    STANDBY_KNOWN_HOSTS: knownHostsLine(e.hostKeyAlias, undefined, e.hostPublicKey),
    STANDBY_SSH_OPTIONS: pinnedHostOptions(e),
    STANDBY_LOGIN: `${e.user}@${e.host}`,
  };
}
