import type { Fingerprint } from "../sync/runner/fingerprint";

/** The record pra-verify prints after a sync, kept in state as the stack output `recoveryPoint`. */
export interface RecoveryRecord {
  run: string;
  /** When the primary's database snapshot was taken (ISO, UTC): what a failover would restore. */
  snapshotTime: string;
  syncedAt?: string;
  fileDigest: string;
  fileEntries?: number;
  bytesSent?: number;
  tables: Fingerprint["tables"];
  /**
   * The certificate the standby would serve, when the site has TLS (read by pra-switch from the
   * carried certificate): its DNS names and its notAfter as ISO UTC.
   */
  certificate?: { names: string[]; notAfter: string /* ISO UTC */ };
  /** The kept generations a failover can restore (`restorePoint`), newest first, as pra-verify listed them. */
  recoveryPoints?: string[];
}

/**
 * Reads the `recoveryPoint` output. Undefined when there was never a sync (""), and also for a record
 * that does not hold what the change check needs: the caller then syncs instead of skipping.
 */
export function parseRecoveryRecord(raw: unknown): RecoveryRecord | undefined {
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Partial<RecoveryRecord>;
  if (typeof r.run !== "string" || typeof r.snapshotTime !== "string" || typeof r.fileDigest !== "string") {
    return undefined;
  }
  if (typeof r.tables !== "object" || r.tables === null || Array.isArray(r.tables)) return undefined;
  return r as RecoveryRecord;
}

/** The tables whose rows differ, plus "(files)" when the web root differs; empty = nothing to copy. */
export function changesSince(record: RecoveryRecord, now: Fingerprint): string[] {
  const changed: string[] = [];
  if (record.fileDigest !== now.fileDigest) changed.push("(files)");
  const names = new Set([...Object.keys(record.tables), ...Object.keys(now.tables)]);
  for (const name of [...names].sort()) {
    const a = record.tables[name];
    const b = now.tables[name];
    if (!a || !b || a.rows !== b.rows || a.crc32 !== b.crc32 || a.md5 !== b.md5) changed.push(name);
  }
  return changed;
}

/** Hours from the snapshot to `now`; undefined when the time cannot be read. */
export function ageHours(snapshotTime: string | undefined, now: Date): number | undefined {
  if (!snapshotTime) return undefined;
  const t = Date.parse(snapshotTime);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 3_600_000;
}

export function formatHours(hours: number | undefined): string {
  return hours === undefined ? "unknown" : `${hours.toFixed(1)}h`;
}

/** `nightly-20250101T020304Z`: sortable, unique per second, and a valid pra:syncRun / pra:drillRun / plan run. */
export function runId(prefix: "nightly" | "drill" | "failback", now: Date): string {
  return `${prefix}-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
}
