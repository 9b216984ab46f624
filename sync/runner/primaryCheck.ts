import { describeEndpoint } from "../dbEndpoint";
import { renderScript } from "../scripts";
import type { FingerprintOptions } from "./fingerprint";
import { primaryAccess, primaryShell } from "./keys";
import { baseTables, connect, openDbLink, resolvePrimaryDb } from "./primaryDb";
import { run } from "./proc";

export interface PrimaryCheckOptions extends FingerprintOptions {
  apacheSiteConfig: string;
}

/** One thing a sync could not read, and what to do about it. */
export interface PrimaryProblem {
  finding: string;
  fix: string;
}

/** What the primary answered; empty problems = readable as a sync reads it. */
export interface PrimaryCheck {
  problems: PrimaryProblem[];
  /** What was found readable, for the report. */
  found: string[];
}

/**
 * Read-only: can a sync read the primary? The web root, wp-config.php, the site file and the certificate
 * files it references (sync/scripts/primary/read-check.sh), then the database with the site's own
 * credentials, the same way the sync connects (sync/runner/primaryDb.ts). Every problem at once.
 */
export async function checkPrimary(opts: PrimaryCheckOptions): Promise<PrimaryCheck> {
  const problems: PrimaryProblem[] = [];
  const found: string[] = [];
  const access = primaryAccess(opts.source, opts.primaryPrivateKey);
  try {
    const r = await run(primaryShell(access), {
      input: renderScript("primary/read-check", { WEB_ROOT: opts.webRoot, APACHE_SITE_CONFIG: opts.apacheSiteConfig }),
      timeoutMs: 120_000,
    });
    const lines = r.stdout.split("\n");
    if (r.code !== 0 || !lines.includes("checked")) {
      problems.push({
        finding: `cannot run a read-only check on the primary (exit ${r.code}): ${lastLines(r.stderr)}`,
        fix: "check that the primary is up and reachable (primaryHost, primarySshUser with passwordless sudo, primaryHostKey)",
      });
      return { problems, found };
    }
    const fileProblems = lines
      .filter((l) => l.startsWith("problem "))
      .map((l) => {
        const [finding, fix] = l.slice("problem ".length).split("\t");
        return { finding, fix: fix ?? "see the finding" };
      });
    problems.push(...fileProblems);
    if (fileProblems.length === 0) found.push(`${opts.webRoot} (wp-config.php), ${opts.apacheSiteConfig}`);
    if (fileProblems.some((p) => p.finding.includes("wp-config.php") || p.finding.includes("web root"))) {
      return { problems, found };
    }
    try {
      const db = await resolvePrimaryDb(access, opts);
      const where = `database ${db.name} at ${describeEndpoint(db.endpoint)}`;
      try {
        const link = await openDbLink(access, db.endpoint);
        try {
          const conn = await connect(link, db);
          try {
            const tables = await baseTables(conn);
            if (tables.length === 0) {
              problems.push({ finding: `the ${where} holds no tables`, fix: "check DB_NAME in wp-config.php" });
            } else found.push(`${where} (${tables.length} tables)`);
          } finally {
            await conn.end().catch(() => {});
          }
        } finally {
          await link.close();
        }
      } catch (e) {
        problems.push({
          finding: `the ${where} cannot be read with wp-config.php's credentials: ${(e as Error).message}`,
          fix: "check that MariaDB runs, that primaryDbSocket is its socket, and DB_USER/DB_PASSWORD in wp-config.php",
        });
      }
    } catch (e) {
      problems.push({ finding: (e as Error).message, fix: "check webRoot and its wp-config.php" });
    }
    return { problems, found };
  } finally {
    await access.dispose();
  }
}

const lastLines = (text: string) => text.trim().split("\n").slice(-3).join(" | ") || "no output";
