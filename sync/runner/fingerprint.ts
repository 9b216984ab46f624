import type { PrimarySide } from "../plan";
import { renderScript } from "../scripts";
import { primaryAccess, primaryShell } from "./keys";
import { baseTables, connect, hashQueries, openDbLink, resolvePrimaryDb, runHashes } from "./primaryDb";
import { run } from "./proc";

export interface Fingerprint {
  fileDigest: string;
  tables: Record<string, { rows: number; crc32: string; md5: string }>;
}

export interface FingerprintOptions extends PrimarySide {
  /** Key for the primary, with source.kind = "ssh". */
  primaryPrivateKey?: string;
}

/**
 * Digest of the primary's web root and per-table row hashes, computed exactly as the sync's
 * recovery point records them: equal fingerprints mean a sync would copy nothing new.
 */
export async function primaryFingerprint(opts: FingerprintOptions): Promise<Fingerprint> {
  const access = primaryAccess(opts.source, opts.primaryPrivateKey);
  try {
    const digest = await run(primaryShell(access), {
      input: renderScript("primary/web-root-digest", { WEB_ROOT: opts.webRoot }),
      timeoutMs: 1800_000,
    });
    if (digest.code !== 0)
      throw new Error(`pra-fingerprint: cannot read ${opts.webRoot} on the primary: ${digest.stderr.trim()}`);
    const db = await resolvePrimaryDb(access, opts);
    const link = await openDbLink(access, db.endpoint);
    try {
      const conn = await connect(link, db);
      try {
        await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        const hashes = await runHashes(conn, await hashQueries(conn, await baseTables(conn)));
        await conn.query("COMMIT");
        return {
          fileDigest: digest.stdout.trim().split(" ")[0],
          tables: Object.fromEntries(
            hashes.map((h) => [h.table, { rows: Number(h.rows), crc32: h.crc32, md5: h.md5 }]),
          ),
        };
      } finally {
        await conn.end().catch(() => {});
      }
    } finally {
      await link.close();
    }
  } finally {
    await access.dispose();
  }
}
