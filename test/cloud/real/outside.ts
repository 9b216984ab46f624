import { run } from "../../lab/proc";
import { OUTSIDE_NETNS } from "./cloudNet";

/** What the stack exports for reaching the standby, as index.ts exports it. */
export interface StandbyAccess {
  floatingIp: string;
  sshUser: string;
  hostKeyAlias: string;
  /** A file holding the exported knownHosts line. */
  knownHostsFile: string;
  /** The sync's client key, as a file. */
  keyFile: string;
}

/**
 * ssh from the stand-in cloud's internet (`pra-cloud-outside`), bound to `source`, pinned as the program
 * pins: only the exported known_hosts line, under the exported alias, StrictHostKeyChecking=yes.
 * The command goes as one argument, as sync/runner/ready.ts sends its ready check.
 */
export function sshFromOutside(access: StandbyAccess, source: string, command: string, connectTimeoutS = 10) {
  return run(
    [
      "ip",
      "netns",
      "exec",
      OUTSIDE_NETNS,
      "ssh",
      "-b",
      source,
      "-i",
      access.keyFile,
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${access.knownHostsFile}`,
      "-o",
      `HostKeyAlias=${access.hostKeyAlias}`,
      "-o",
      `ConnectTimeout=${connectTimeoutS}`,
      `${access.sshUser}@${access.floatingIp}`,
      command,
    ],
    { allowFail: true, timeoutMs: 600_000 },
  );
}

/**
 * The HTTP status of `http://address:port/` from outside, or curl's exit code when none came: 28 is a
 * timeout (the security group dropped the SYN), 7 a refusal (it got through to a guest with no listener).
 */
export async function webFromOutside(address: string, port: number): Promise<string> {
  const r = await run(
    [
      "ip",
      "netns",
      "exec",
      OUTSIDE_NETNS,
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--connect-timeout",
      "5",
      `http://${address}:${port}/`,
    ],
    { allowFail: true },
  );
  return r.code === 0 ? r.stdout : `curl exit ${r.code}`;
}
