/**
 * Exit codes of the nightly job and the drill, in one place so that the scheduler (systemd, CI), the
 * runbook and the tests agree. Each failure has its own code because each needs a different reaction
 * at 3 a.m.: a refused run is deliberate, a lock means "wait", a failed teardown means "money is burning".
 */
export const ExitCode = {
  /** Synced, skipped because nothing changed, or the drill passed. */
  Ok: 0,
  /** The sync or the drill failed; the instance was torn down. */
  Failed: 1,
  /** Bad flags, bad stack config, no such stack, no pulumi CLI, or a precondition not met. */
  Usage: 2,
  /** pra:praActive is true: the standby is serving the blog, a copy would overwrite its writes. */
  RefusedActive: 3,
  /** Another nightly run or drill holds the lock, or another update holds the stack's: nothing was changed. */
  Locked: 4,
  /** Tearing the instance down failed: it may still exist and cost money. Alert a human. */
  TeardownFailed: 5,
  /** The primary could not be read for the change check; nothing was booted. */
  PrimaryUnreachable: 6,
  /** The job ran, but the newest recovery point is older than pra:maxDataAgeHours. */
  Stale: 7,
  /** Stopped by SIGINT/SIGTERM/SIGHUP; the instance was torn down before exiting. */
  Interrupted: 8,
  /** The stack could not be previewed before a boot (credentials rejected, cloud API or state unreachable); nothing was booted. */
  CloudCheckFailed: 9,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeMeaning: Record<ExitCode, string> = {
  0: "ok",
  1: "failed, instance torn down",
  2: "usage, config or precondition error",
  3: "refused while failed over (praActive is true)",
  4: "another run holds the lock",
  5: "teardown failed: the instance may still exist",
  6: "primary unreachable, nothing booted",
  7: "newest recovery point is too old",
  8: "interrupted, instance torn down",
  9: "cloud check failed (credentials, cloud API or state), nothing booted",
};

/** How a summary line names an end other than ok: `FAILED exit=5 (teardown failed: ...)`. A refusal is deliberate. */
export function notOk(code: ExitCode): string {
  return `${code === ExitCode.RefusedActive ? "REFUSED" : "FAILED"} exit=${code} (${exitCodeMeaning[code]})`;
}

/** An error that ends the job with a given exit code; its message is meant for the operator. */
export class OpsError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = "OpsError";
  }
}

/**
 * Exit codes of `npm run status` and `npm run doctor`. They change nothing, so they only tell a script
 * whether to look: "attention" (a warning or a failed check) and "not configured" are kept apart, since
 * a fresh clone is not an incident.
 */
export const CheckExitCode = {
  /** Nothing needs attention. */
  Ok: 0,
  /** Something needs attention: each warning or problem is printed with its fix. */
  Attention: 1,
  /** Bad flags, or not configured: no stack file, no pulumi CLI, or the stack cannot be opened. */
  NotConfigured: 2,
} as const;

export type CheckExitCode = (typeof CheckExitCode)[keyof typeof CheckExitCode];
