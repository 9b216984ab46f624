import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { knownHostsLine } from "../knownHosts";
import { shq } from "../layout";
import type { Source, StepInput } from "../plan";
import { pinnedSshOptions } from "../primary/standbySsh";
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
  const key = keys.write("primary_key", primaryPrivateKey);
  const known = keys.write("primary_known_hosts", knownHostsLine(source.hostKeyAlias, undefined, source.hostPublicKey));
  const primarySsh = [
    "ssh",
    ...sharedConnection(keys.path("primary.ctl")),
    ...pinnedSshOptions(source, key, known),
    `${source.user}@${source.host}`,
  ];
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
  const { standby } = input.plan;
  const standbyKey = keys.write("standby_key", input.secrets.standbyPrivateKey);
  const standbyKnown = keys.write(
    "standby_known_hosts",
    knownHostsLine(standby.hostKeyAlias, undefined, standby.hostPublicKey),
  );
  const standbySsh = [
    "ssh",
    ...sharedConnection(keys.path("standby.ctl")),
    ...pinnedSshOptions(standby, standbyKey, standbyKnown),
    `${standby.user}@${standby.host}`,
  ];
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
