import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the last nightly run found, for monitoring (node exporter textfile, a cron mail, a glance by hand). */
export interface NightlyStatus {
  job: "nightly";
  stack: string;
  /** The one-line summary also printed at the end. */
  summary: string;
  exitCode: number;
  result: string;
  run?: string;
  startedAt: string;
  finishedAt: string;
  /** The newest recovery point's database snapshot time. */
  snapshotTime?: string;
  /** now − snapshotTime, hours. */
  dataAgeHours?: number;
  /** When the primary was last seen equal to the recovery point without a sync (the skip path). */
  verifiedUnchangedAt?: string;
  maxDataAgeHours: number;
  instanceMinutes: number;
  /** Set when the stack's state is a local file (ops/stateLocation.ts): it would not survive this machine. */
  stateWarning?: string;
  /** The newest recovery point's certificate (TLS sites), as in its record. */
  certificate?: { names: string[]; notAfter: string };
  /** Things that need attention although the run itself passed (e.g. a certificate about to expire). */
  warnings?: string[];
}

/** Where the lock, status, plans and drill reports live: `.pra/` in the project (git-ignored). */
export function praPath(workDir: string): string {
  return join(workDir, ".pra");
}

/** praPath, made if missing. */
export function praDir(workDir: string): string {
  const dir = praPath(workDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Replaces the file in one rename, so a reader never sees half a status. */
export function writeFileAtomic(file: string, body: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, body, { mode });
  renameSync(tmp, file);
}

export function writeStatus(workDir: string, status: NightlyStatus): string {
  const file = join(praDir(workDir), "status.json");
  writeFileAtomic(file, `${JSON.stringify(status, null, 2)}\n`);
  return file;
}

/** How the last failback ended: `npm run status` shows it. */
export interface FailbackResult {
  job: "failback";
  stack: string;
  exitCode: number;
  result: string;
  detail: string;
  startedAt: string;
  finishedAt: string;
}

export function writeFailbackResult(workDir: string, result: FailbackResult): string {
  const file = join(praDir(workDir), "failback.json");
  writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
