import { gzipSync } from "node:zlib";
import type { LabHost } from "../test/lab/lab";

/** What the primary holds at one moment: its files (size, mtime) and its rows, one INSERT line each. */
export interface PrimarySnapshot {
  files: Map<string, { size: number; stamp: string }>;
  rows: Set<string>;
}

export const EMPTY_SNAPSHOT: PrimarySnapshot = { files: new Map(), rows: new Set() };

/** The least a sync could send for a change, and how it is made up. */
export interface PhysicalMinimum {
  /** Bytes of the files that are new or changed. */
  fileBytes: number;
  changedFiles: number;
  /** Rows that are new or changed (a changed row counts once, with its new content). */
  changedRows: number;
  /** Those rows as mariadb-dump INSERT lines, gzip -9. */
  rowBytesCompressed: number;
  total: number;
}

/**
 * The page cache (wp-content/cache) is left out: it is derived from the rows, and a standby must not
 * serve the primary's copy of it anyway.
 */
export async function snapshotPrimary(primary: LabHost): Promise<PrimarySnapshot> {
  const list = await primary.exec(
    "cd /var/www/blog && find . -path ./wp-content/cache -prune -o ! -type d -printf '%P\\t%s\\t%T@\\n'",
    { timeoutMs: 300_000 },
  );
  const files = new Map<string, { size: number; stamp: string }>();
  for (const line of list.stdout.split("\n")) {
    const [path, size, stamp] = line.split("\t");
    if (path) files.set(path, { size: Number(size), stamp });
  }
  const dump = await primary.exec(
    "mariadb-dump --skip-comments --skip-dump-date --hex-blob --order-by-primary --no-create-info --skip-extended-insert wordpress",
    { timeoutMs: 300_000 },
  );
  const rows = new Set(dump.stdout.split("\n").filter((l) => l.startsWith("INSERT INTO ")));
  return { files, rows };
}

/** New file bytes plus the compressed size of the new or changed rows between two snapshots. */
export function physicalMinimum(before: PrimarySnapshot, after: PrimarySnapshot): PhysicalMinimum {
  let fileBytes = 0;
  let changedFiles = 0;
  for (const [path, f] of after.files) {
    const old = before.files.get(path);
    if (old && old.size === f.size && old.stamp === f.stamp) continue;
    fileBytes += f.size;
    changedFiles++;
  }
  const rows = [...after.rows].filter((r) => !before.rows.has(r));
  const rowBytesCompressed = rows.length === 0 ? 0 : gzipSync(`${rows.join("\n")}\n`, { level: 9 }).length;
  return {
    fileBytes,
    changedFiles,
    changedRows: rows.length,
    rowBytesCompressed,
    total: fileBytes + rowBytesCompressed,
  };
}
