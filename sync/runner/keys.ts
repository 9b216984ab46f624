import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { knownHostsLine } from "../knownHosts";
import { shq } from "../layout";
import type { Source, StepInput } from "../plan";
import { pinnedSshOptions, type StandbyEndpoint } from "../primary/standbySsh";
import { run } from "./proc";

export interface PrimaryAccess {
  /** ssh argv prefix for the primary, pinned (ssh source only), sharing one connection. */
  primarySsh?: string[];
  /** Closes the shared SSH connections, then removes the private keys and control sockets from disk. */
  dispose(): Promise<void>;
}

export interface SshKit extends PrimaryAccess {
  /** ssh argv prefix for the standby, pinned. */
  standbySsh: string[];
}

/**
 * A private temp dir (0700) for keys that arrived on stdin, for OpenSSH to read, and for the control
 * sockets of the shared connections.
 */
function keyDir() {
  const dir = mkdtempSync(join(tmpdir(), "pra-sync-"));
  return {
    path: (name: string) => join(dir, name),
    write(name: string, body: string): string {
      writeFileSync(join(dir, name), body.endsWith("\n") ? body : `${body}\n`, { mode: 0o600 });
      return join(dir, name);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * One SSH connection per host for the whole step: the first ssh becomes the master (in the background,
 * its stdio on /dev/null), every later one rides it. Pinning is unchanged: the master was the one to
 * check the host key. The master goes at dispose (`ssh -O exit`); an orphaned one (the step killed)
 * exits after CONTROL_PERSIST_SECONDS idle.
 */
const CONTROL_PERSIST_SECONDS = 60;
function sharedConnection(controlPath: string): string[] {
  return [
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${controlPath}`,
    "-o",
    `ControlPersist=${CONTROL_PERSIST_SECONDS}`,
  ];
}

/** The pinned ssh argv prefix for one host: its key and known_hosts line written into `keys`, one shared connection. */
function pinnedSsh(
  keys: ReturnType<typeof keyDir>,
  name: string,
  host: StandbyEndpoint,
  privateKey: string,
  opts: { compress?: boolean } = {},
): string[] {
  const key = keys.write(`${name}_key`, privateKey);
  const known = keys.write(`${name}_known_hosts`, knownHostsLine(host.hostKeyAlias, undefined, host.hostPublicKey));
  return [
    "ssh",
    ...(opts.compress ? ["-o", "Compression=yes"] : []),
    ...sharedConnection(keys.path(`${name}.ctl`)),
    ...pinnedSshOptions(host, key, known),
    `${host.user}@${host.host}`,
  ];
}

/** Closes the master behind `sshArgv` (an ssh argv prefix ending with user@host), if there is one. */
async function closeMaster(sshArgv: string[]): Promise<void> {
  const [ssh, ...rest] = sshArgv;
  await run([ssh, "-O", "exit", ...rest], { timeoutMs: 10_000 }).catch(() => undefined);
}

/** How to reach the primary: nothing to set up for a local source; a pinned ssh command otherwise. */
export function primaryAccess(source: Source, primaryPrivateKey: string | undefined): PrimaryAccess {
  if (source.kind !== "ssh") return { async dispose() {} };
  if (!primaryPrivateKey) {
    throw new Error(
      "source is ssh but no primarySshPrivateKey was given: pulumi config set --secret primarySshPrivateKey < key",
    );
  }
  const keys = keyDir();
  const primarySsh = pinnedSsh(keys, "primary", source, primaryPrivateKey);
  return {
    primarySsh,
    async dispose() {
      await closeMaster(primarySsh);
      keys.dispose();
    },
  };
}

/** Keys and pinned ssh commands for both ends of a sync step. */
export function sshKit(input: StepInput): SshKit {
  const primary = primaryAccess(input.plan.source, input.secrets.primaryPrivateKey);
  const keys = keyDir();
  // Only text travels on this connection (the ready check, the hash SQL and results, commands): it
  // compresses well. The bulk (files, the dump) goes from the primary on its own connections.
  const standbySsh = pinnedSsh(keys, "standby", input.plan.standby, input.secrets.standbyPrivateKey, {
    compress: true,
  });
  return {
    primarySsh: primary.primarySsh,
    standbySsh,
    async dispose() {
      await Promise.all([primary.dispose(), closeMaster(standbySsh)]);
      keys.dispose();
    },
  };
}

/** argv prefix that runs bash as root on the primary: through SSH, or here (with sudo unless root). */
function primaryBash(access: PrimaryAccess, args: string[]): string[] {
  if (access.primarySsh) return [...access.primarySsh, `sudo -n bash ${args.map(shq).join(" ")}`];
  return [...(process.getuid?.() === 0 ? [] : ["sudo", "-n"]), "bash", ...args];
}

/** argv that runs a bash script (given on stdin) as root on the primary. */
export function primaryShell(access: PrimaryAccess): string[] {
  return primaryBash(access, ["-s"]);
}

/** argv that runs `script` as root on the primary, leaving stdin free for data. */
export function primaryCommand(access: PrimaryAccess, script: string): string[] {
  return primaryBash(access, ["-c", script]);
}
