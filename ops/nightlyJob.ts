import type { OutputMap } from "@pulumi/pulumi/automation";
import { projectDefaults } from "../config";
import { primarySide } from "../sync/plan";
import type { Fingerprint } from "../sync/runner/fingerprint";
import { type NightlyArgs, nightlyUsage, parseNightlyArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, OpsError } from "./exitCodes";
import { runJob } from "./job";
import type { JobSpec } from "./jobStart";
import { finish, type Outcome, PREFIX } from "./nightlyReport";
import { changesSince, parseRecoveryRecord, type RecoveryRecord, runId } from "./recoveryRecord";
import { refuseWhileActive, type Session } from "./session";
import { parseSyncKeys } from "./settings";
import { stateLocation } from "./stateLocation";
import { bootAndTearDown, cleanUpLeftovers } from "./transient";
import { errorText } from "./workspace";

const nightly: JobSpec<NightlyArgs> = {
  job: "nightly",
  prefix: PREFIX,
  parse: parseNightlyArgs,
  usage: nightlyUsage,
  what: (a) => `nightly sync of stack ${a.stack}`,
};

/**
 * The nightly job: copy the primary to the standby when it changed, with the instance alive only for
 * the copy. Returns the exit code (see exitCodes.ts); never throws.
 */
export function runNightly(argv: string[], deps: OpsDeps): Promise<number> {
  return runJob(nightly, argv, deps, (run) => {
    let before: RecoveryRecord | undefined;
    let stateWarning: string | undefined;
    return {
      async body(s) {
        // Said first and again in the summary: a sync into state that burns with the primary protects nothing.
        stateWarning = stateLocation(run.deps.env ?? process.env, {
          source: s.get("source") ?? projectDefaults().string("source"),
        }).warning;
        if (stateWarning) s.log(stateWarning);
        before = parseRecoveryRecord((await s.stack.outputs()).recoveryPoint?.value);
        return night(s, before, run.args.force);
      },
      failed: (f): Outcome => ({ ...f, record: before, instanceMinutes: 0 }),
      async finish(outcome, session) {
        outcome.stateWarning = stateWarning;
        await finish(outcome, { ...run, session });
        return outcome.code;
      },
    };
  });
}

/** Refusal, leftovers, change check, then the sync with its teardown. */
async function night(s: Session, before: RecoveryRecord | undefined, force: boolean): Promise<Outcome> {
  refuseWhileActive(
    s,
    "the nightly sync",
    "A nightly copy would overwrite what was written on the standby since the failover.",
  );
  await cleanUpLeftovers(s);
  if (force) {
    s.log("--force: syncing without the change check");
  } else if (!before) {
    s.log("no recovery point recorded yet: syncing without the change check");
  } else {
    const changed = await changedSince(s, before);
    if (changed.length === 0) {
      s.log(`unchanged since ${before.snapshotTime}: no instance booted`);
      return {
        code: ExitCode.Ok,
        detail: `unchanged since ${before.snapshotTime}, no instance booted`,
        record: before,
        verifiedUnchangedAt: s.deps.now(),
        instanceMinutes: 0,
      };
    }
    s.log(`changed since ${before.snapshotTime}: ${changed.join(", ")}`);
  }
  return sync(s, before);
}

/**
 * The primary's fingerprint against the newest recovery point. An unreadable primary fails the night
 * (exit 6, alert) without booting anything: the sync would fail on the same primary after paying for a
 * boot, and an unreachable primary is exactly what an operator must hear about first.
 */
async function changedSince(s: Session, before: RecoveryRecord): Promise<string[]> {
  const { sync, primaryPrivateKey } = parseSyncKeys(s.get);
  const opts = { ...primarySide(sync), primaryPrivateKey };
  s.log(`change check: reading the primary (${opts.source.kind === "ssh" ? opts.source.host : "this machine"})`);
  let fp: Fingerprint;
  try {
    // Leave the wait on a signal (the fingerprint cannot be cancelled). race() handles a rejection
    // that comes after it settled, so a later signal is no unhandled rejection.
    const signalled = s.interruption.whenSignalled().then((sig) => {
      throw new OpsError(ExitCode.Interrupted, `${sig} during the change check, nothing booted`);
    });
    fp = await Promise.race([s.deps.fingerprint(opts), signalled]);
  } catch (e) {
    if (e instanceof OpsError) throw e;
    throw new OpsError(
      ExitCode.PrimaryUnreachable,
      `cannot read the primary for the change check, nothing booted: ${errorText(e)}`,
    );
  }
  return changesSince(before, fp);
}

async function sync(s: Session, before: RecoveryRecord | undefined): Promise<Outcome> {
  const id = runId("nightly", s.deps.now());
  const boot = await bootAndTearDown(s, "syncRun", id, "runs the data sync");
  const record = recordOf(boot.outputs) ?? recordOf(boot.teardown.outputs) ?? before;
  const base = { run: id, record, instanceMinutes: boot.instanceMinutes };
  if (!boot.teardown.ok) {
    const upError = boot.error ? ` (the sync had failed too: ${errorText(boot.error, 3)})` : "";
    return {
      ...base,
      code: ExitCode.TeardownFailed,
      detail:
        `the instance may still be running: ${boot.teardown.error}${upError}. ` +
        `Fix: pulumi config rm syncRun --stack ${s.stackName} && pulumi up --stack ${s.stackName}`,
    };
  }
  if (s.interruption.signal) {
    return { ...base, code: ExitCode.Interrupted, detail: `stopped by ${s.interruption.signal}, instance torn down` };
  }
  if (boot.error) {
    return { ...base, code: ExitCode.Failed, detail: `sync failed, instance torn down: ${errorText(boot.error, 6)}` };
  }
  if (record?.run !== id) {
    return {
      ...base,
      code: ExitCode.Failed,
      detail: `the up succeeded but the recovery point was not updated (it is still run ${record?.run ?? "none"})`,
    };
  }
  return {
    ...base,
    code: ExitCode.Ok,
    detail: `synced ${record.fileEntries ?? "?"} files, ${Object.keys(record.tables).length} tables`,
  };
}

function recordOf(outputs: OutputMap | undefined): RecoveryRecord | undefined {
  return parseRecoveryRecord(outputs?.recoveryPoint?.value);
}
