/**
 * What pra-verify prints on stdout, read by the program (DataSync's record, the failover's outside
 * check) and by the operations: a line `newest-post <id>` when a verified generation serves, a line
 * `failed-generation <why>` when the generation a sync made live failed and was rolled back, a line
 * `recovery-points <run> ...` with the kept generations a failover can restore, then what
 * really serves as one JSON line, last: the live recovery point's record, or {} when no verified
 * generation serves. One definition, so the script and its readers cannot drift apart.
 */
export const NEWEST_POST_TAG = "newest-post";
export const FAILED_TAG = "failed-generation";
/** `tls-ca <base64 PEM>`: the site is https; a client must verify its certificate against this CA. */
export const TLS_CA_TAG = "tls-ca";
/** The line listing the kept recovery points a failover can restore (restorePoint), newest first. */
export const RECOVERY_POINTS_TAG = "recovery-points";

export interface VerifyReport {
  /** Id of the newest published post WordPress served; 0 when the line is missing. */
  newestPostId: number;
  /**
   * The record of what really serves (JSON text, {} for nothing verified): the last line, with the
   * restorable points added as `recoveryPoints` so that `npm run status` lists them without a boot.
   */
  record: string;
  /** Why the generation the sync made live was taken off again; "" when it passed. */
  failure: string;
  /** The CA (PEM) the standby's https site verified against; undefined for an http site. */
  caPem?: string;
}

export function parseVerifyReport(stdout: string): VerifyReport {
  const id = new RegExp(`^${NEWEST_POST_TAG} (\\d+)$`, "m").exec(stdout)?.[1];
  const failure = new RegExp(`^${FAILED_TAG} (.*)$`, "m").exec(stdout)?.[1] ?? "";
  const ca = new RegExp(`^${TLS_CA_TAG} ([A-Za-z0-9+/=]+)$`, "m").exec(stdout)?.[1];
  const points = new RegExp(`^${RECOVERY_POINTS_TAG}( .*)?$`, "m").exec(stdout);
  const last = stdout.trim().split("\n").pop() ?? "";
  return {
    newestPostId: Number(id ?? 0),
    record: points ? withPoints(last, words(points[1])) : last,
    failure,
    ...(ca ? { caPem: Buffer.from(ca, "base64").toString("utf8") } : {}),
  };
}

const words = (text: string | undefined) => (text ?? "").trim().split(/\s+/).filter(Boolean);

/** The record with its recoveryPoints; a last line that is no record (or {}) stays as it is. */
function withPoints(record: string, recoveryPoints: string[]): string {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    return record;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("run" in value)) return record;
  return JSON.stringify({ ...value, recoveryPoints });
}
