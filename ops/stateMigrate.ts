import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChecked } from "../sync/runner/proc";
import { ExitCode, OpsError } from "./exitCodes";

export interface MigrateOptions {
  stack: string;
  /** The project directory (Pulumi.yaml, Pulumi.<stack>.yaml with the passphrase's salt). */
  workDir: string;
  /** Backend URLs: where the state is, where it goes. */
  from: string;
  to: string;
  /** Passes the passphrase and the bucket's credentials to pulumi; PULUMI_BACKEND_URL is set per call. */
  env: NodeJS.ProcessEnv;
  pulumi: string;
  log(line: string): void;
}

/** The resources of a `stack export`, to check that the import holds what the export held. */
function resourceCount(exported: string): number {
  const doc = JSON.parse(exported) as { deployment?: { resources?: unknown[] } };
  return doc.deployment?.resources?.length ?? 0;
}

/**
 * Copies one stack's state between backends with the CLI: export with secrets decrypted into a 0600
 * file in a private temp directory (removed whatever happens), a new stack with the same passphrase
 * provider (Pulumi.<stack>.yaml keeps its salt, so the same passphrase opens it), import, and a check
 * that the new backend holds as many resources. A stack already in the target is never overwritten.
 */
export async function migrateStack(o: MigrateOptions): Promise<{ resources: number }> {
  const pulumi = (backend: string, args: string[], label: string) =>
    runChecked([o.pulumi, ...args, "--non-interactive"], {
      env: { ...o.env, PULUMI_BACKEND_URL: backend, PULUMI_SKIP_UPDATE_CHECK: "true" },
      cwd: o.workDir,
      timeoutMs: 600_000,
      label,
    });
  const listed = await pulumi(o.to, ["stack", "ls", "--json"], `pulumi stack ls in ${o.to}`).catch((e) => {
    throw new OpsError(ExitCode.Failed, `cannot list the stacks in ${o.to}: ${(e as Error).message}`);
  });
  const names = (JSON.parse(listed.stdout || "[]") as { name: string }[]).map((s) => s.name.split("/").pop());
  if (names.includes(o.stack)) {
    throw new OpsError(
      ExitCode.Usage,
      `stack ${o.stack} already exists in ${o.to}: nothing was migrated or overwritten. If it is an earlier ` +
        "migration, use it as it is; to migrate again, remove it there first (pulumi stack rm, with care)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "pra-state-move-"));
  const file = join(dir, `${o.stack}.json`);
  let created = false;
  try {
    writeFileSync(file, "", { mode: 0o600 });
    o.log(`exporting stack ${o.stack} from ${o.from}`);
    await pulumi(
      o.from,
      ["stack", "export", "--stack", o.stack, "--show-secrets", "--file", file],
      "pulumi stack export",
    );
    const resources = resourceCount(readFileSync(file, "utf8"));
    o.log(`importing ${resources} resources into ${o.to}`);
    await pulumi(o.to, ["stack", "init", o.stack, "--secrets-provider", "passphrase"], "pulumi stack init");
    created = true;
    await pulumi(o.to, ["stack", "import", "--stack", o.stack, "--file", file], "pulumi stack import");
    const check = await pulumi(o.to, ["stack", "export", "--stack", o.stack], "pulumi stack export (check)");
    const imported = resourceCount(check.stdout);
    if (imported !== resources) {
      throw new OpsError(
        ExitCode.Failed,
        `the new backend holds ${imported} resources after the import, the old one ${resources}: keep using ${o.from}`,
      );
    }
    return { resources };
  } catch (e) {
    const failure =
      e instanceof OpsError
        ? e
        : new OpsError(ExitCode.Failed, `migrating stack ${o.stack} failed: ${(e as Error).message}`);
    if (!created) throw failure;
    // The stack this run made in the target is incomplete: left there, it would block the next attempt
    // ("already exists") and look like a migrated state. The source is untouched either way.
    const rm = ["stack", "rm", "--stack", o.stack, "--yes", "--force", "--preserve-config"];
    const removed = await pulumi(o.to, rm, "pulumi stack rm").then(
      () => `; the incomplete stack ${o.stack} in ${o.to} was removed, ${o.from} is unchanged: run it again`,
      () => `; remove the incomplete stack before trying again: PULUMI_BACKEND_URL='${o.to}' pulumi ${rm.join(" ")}`,
    );
    throw new OpsError(failure.code, `${failure.message}${removed}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
