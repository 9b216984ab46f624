import { describeEndpoint } from "../dbEndpoint";
import { renderScript } from "../scripts";
import type { FingerprintOptions } from "./fingerprint";
import { primaryAccess, primaryShell } from "./keys";
import { baseTables, connect, openDbLink, resolvePrimaryDb } from "./primaryDb";
import { run } from "./proc";

export interface PrimaryCheckOptions extends FingerprintOptions {
  apacheSiteConfig: string;
}

/** What the primary answered; empty problems = readable as a sync reads it. */
export interface PrimaryCheck {
  problems: string[];
  /** What was found readable, for the report. */
  found: string[];
}

/**
 * Read-only: can a sync read the primary? The web root, wp-config.php, the site file and the certificate
 * files it references (sync/scripts/primary/read-check.sh), then the database with the site's own
 * credentials, the same way the sync connects (sync/runner/primaryDb.ts). Every problem at once.
 */
export async function checkPrimary(opts: PrimaryCheckOptions): Promise<PrimaryCheck> {
  const problems: string[] = [];
  const found: string[] = [];
  const access = primaryAccess(opts.source, opts.primaryPrivateKey);
  try {
    const r = await run(primaryShell(access), {
      input: renderScript("primary/read-check", { WEB_ROOT: opts.webRoot, APACHE_SITE_CONFIG: opts.apacheSiteConfig }),
      timeoutMs: 120_000,
    });
    const lines = r.stdout.split("\n");
    if (r.code !== 0 || !lines.includes("checked")) {
      problems.push(`cannot run a read-only check on the primary (exit ${r.code}): ${lastLines(r.stderr)}`);
      return { problems, found };
    }
    const fileProblems = lines.filter((l) => l.startsWith("problem ")).map((l) => l.slice("problem ".length));
    problems.push(...fileProblems);
    if (fileProblems.length === 0) found.push(`${opts.webRoot} (wp-config.php), ${opts.apacheSiteConfig}`);
    if (fileProblems.some((p) => p.includes("wp-config.php") || p.includes("web root"))) return { problems, found };
    try {
      const db = await resolvePrimaryDb(access, opts);
      const where = `database ${db.name} at ${describeEndpoint(db.endpoint)}`;
      try {
        const link = await openDbLink(access, db.endpoint);
        try {
          const conn = await connect(link, db);
          try {
            const tables = await baseTables(conn);
            if (tables.length === 0) problems.push(`the ${where} holds no tables: is DB_NAME in wp-config.php right?`);
            else found.push(`${where} (${tables.length} tables)`);
          } finally {
            await conn.end().catch(() => {});
          }
        } finally {
          await link.close();
        }
      } catch (e) {
        problems.push(
          `the ${where} cannot be read with wp-config.php's credentials: ${(e as Error).message}. ` +
            "Is MariaDB running, and primaryDbSocket its socket?",
        );
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
    return { problems, found };
  } finally {
    await access.dispose();
  }
}

const lastLines = (text: string) => text.trim().split("\n").slice(-3).join(" | ") || "no output";
