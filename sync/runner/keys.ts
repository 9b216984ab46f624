import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { knownHostsLine } from "../knownHosts";
import { shq } from "../layout";
import type { Source, StepInput } from "../plan";
import { pinnedSshOptions } from "../primary/standbySsh";

export interface PrimaryAccess {
  /** ssh argv prefix for the primary, pinned (ssh source only). */
  primarySsh?: string[];
  /** Removes the private keys from disk. */
  dispose(): void;
}

export interface SshKit extends PrimaryAccess {
  /** ssh argv prefix for the standby, pinned. */
  standbySsh: string[];
}

/** A private temp dir for keys that arrived on stdin, for OpenSSH to read. */
function keyDir() {
  const dir = mkdtempSync(join(tmpdir(), "pra-sync-"));
  return {
    write(name: string, body: string): string {
      writeFileSync(join(dir, name), body.endsWith("\n") ? body : `${body}\n`, { mode: 0o600 });
      return join(dir, name);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How to reach the primary: nothing to set up for a local source; a pinned ssh command otherwise. */
export function primaryAccess(source: Source, primaryPrivateKey: string | undefined): PrimaryAccess {
  if (source.kind !== "ssh") return { dispose() {} };
  if (!primaryPrivateKey) {
    throw new Error(
      "source is ssh but no primarySshPrivateKey was given: pulumi config set --secret primarySshPrivateKey < key",
    );
  }
  const keys = keyDir();
  const key = keys.write("primary_key", primaryPrivateKey);
  const known = keys.write("primary_known_hosts", knownHostsLine(source.hostKeyAlias, undefined, source.hostPublicKey));
  return {
    primarySsh: ["ssh", ...pinnedSshOptions(source, key, known), `${source.user}@${source.host}`],
    dispose: keys.dispose,
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
  return {
    primarySsh: primary.primarySsh,
    standbySsh: ["ssh", ...pinnedSshOptions(standby, standbyKey, standbyKnown), `${standby.user}@${standby.host}`],
    dispose() {
      primary.dispose();
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
