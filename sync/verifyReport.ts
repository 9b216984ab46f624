/**
 * What pra-verify prints on stdout, read by the program (DataSync's record, the failover's outside
 * check) and by the operations: a line `newest-post <id>`, then the live recovery point's record as
 * one JSON line, last. One definition, so the script and its readers cannot drift apart.
 */
export const NEWEST_POST_TAG = "newest-post";

export interface VerifyReport {
  /** Id of the newest published post WordPress served; 0 when the line is missing. */
  newestPostId: number;
  /** The live recovery point's record (JSON text): the last line. */
  record: string;
}

export function parseVerifyReport(stdout: string): VerifyReport {
  const id = new RegExp(`^${NEWEST_POST_TAG} (\\d+)$`, "m").exec(stdout)?.[1];
  return { newestPostId: Number(id ?? 0), record: stdout.trim().split("\n").pop() ?? "" };
}
