import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { knownHostsLine } from "../components/knownHosts";
import type { StepInput } from "./plan";
import { pinnedSshOptions } from "./primary/standbySsh";

export interface SshKit {
  /** ssh argv prefix for the standby, pinned. */
  standbySsh: string[];
  /** ssh argv prefix for the primary, pinned (ssh source only). */
  primarySsh?: string[];
  /** Removes the private keys from disk. */
  dispose(): void;
}

/** Writes the keys that arrived on stdin into a private temp dir, for OpenSSH to read. */
export function sshKit(input: StepInput): SshKit {
  const dir = mkdtempSync(join(tmpdir(), "pra-sync-"));
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), body.endsWith("\n") ? body : `${body}\n`, { mode: 0o600 });
    return join(dir, name);
  };
  const { standby, source } = input.plan;
  const standbyKey = write("standby_key", input.secrets.standbyPrivateKey);
  const standbyKnown = write(
    "standby_known_hosts",
    knownHostsLine(standby.hostKeyAlias, undefined, standby.hostPublicKey),
  );
  const kit: SshKit = {
    standbySsh: ["ssh", ...pinnedSshOptions(standby, standbyKey, standbyKnown), `${standby.user}@${standby.host}`],
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (source.kind === "ssh") {
    if (!input.secrets.primaryPrivateKey) {
      kit.dispose();
      throw new Error(
        "source is ssh but no primarySshPrivateKey was given: pulumi config set --secret primarySshPrivateKey < key",
      );
    }
    const key = write("primary_key", input.secrets.primaryPrivateKey);
    const known = write("primary_known_hosts", knownHostsLine(source.hostKeyAlias, undefined, source.hostPublicKey));
    kit.primarySsh = ["ssh", ...pinnedSshOptions(source, key, known), `${source.user}@${source.host}`];
  }
  return kit;
}

/** argv that runs a bash script (given on stdin) as root on the primary. */
export function primaryShell(kit: SshKit): string[] {
  if (kit.primarySsh) return [...kit.primarySsh, "sudo -n bash -s"];
  return process.getuid?.() === 0 ? ["bash", "-s"] : ["sudo", "-n", "bash", "-s"];
}
