/** Drops the comment of an OpenSSH public key line, keeping "type base64". */
export function publicKeyBody(publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob) throw new Error(`not an OpenSSH public key: ${JSON.stringify(publicKey.slice(0, 40))}`);
  return `${type} ${blob}`;
}

/**
 * A known_hosts line that pins the standby's key under a stable alias (used with
 * `ssh -o HostKeyAlias=<alias>`) and under its current address, so it survives a new floating IP.
 */
export function knownHostsLine(alias: string, address: string | undefined, publicKey: string): string {
  const names = address ? `${alias},${address}` : alias;
  return `${names} ${publicKeyBody(publicKey)}`;
}
