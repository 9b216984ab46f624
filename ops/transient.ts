import type { OutputMap } from "@pulumi/pulumi/automation";
import { checkCloudAccess } from "./cloudCheck";
import { ExitCode, OpsError } from "./exitCodes";
import { describeUpdate } from "./lastUpdate";
import type { Session } from "./session";
import { errorText, lockAdvice, lockRefusal } from "./workspace";

/**
 * The instance exists only while pra:syncRun or pra:drillRun is set (or while failed over). These
 * helpers set one, run `up`, and ALWAYS remove it and run `up` again, so that no failure, crash or
 * signal leaves a paid instance behind.
 */
export type RunKey = "syncRun" | "drillRun";

export interface TeardownResult {
  ok: boolean;
  attempts: number;
  error?: string;
  /** Who held the stack's lock when the last attempt was refused by it. */
  lockedBy?: string;
  outputs?: OutputMap;
}

export interface BootResult {
  /** Outputs of the up that booted the instance; undefined when it failed. */
  outputs?: OutputMap;
  error?: unknown;
  /** When the key was set (the boot began) and when its up returned. */
  startedAt: Date;
  upEndedAt: Date;
  teardown: TeardownResult;
  /** From setting the key to the end of the teardown: an upper bound of the paid instance time. */
  instanceMinutes: number;
}

/** Removes the keys and runs `up` until it succeeds or the attempts are used up. Signals cannot stop it. */
export async function tearDown(s: Session, keys: RunKey[], why: string): Promise<TeardownResult> {
  const attempts = Math.max(1, s.deps.teardownAttempts);
  s.interruption.enterTeardown();
  try {
    let lastError = "";
    let lockedBy: string | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        for (const key of keys) await s.stack.removeConfig(key);
        s.log(`teardown (${why}): ${keys.join(", ")} removed, pulumi up so the instance is deleted`);
        const result = await s.stack.up({ onOutput: s.engine.onOutput, onError: s.engine.onError });
        s.log("teardown done: no instance is left");
        return { ok: true, attempts: attempt, outputs: result.outputs };
      } catch (e) {
        lockedBy = lockRefusal(e);
        lastError = lockedBy
          ? `the teardown up was refused: stack ${s.stackName} is locked by another pulumi update (${lockedBy}): wait for it to end`
          : errorText(e);
        s.log(`teardown attempt ${attempt}/${attempts} failed: ${lastError}`);
        if (attempt < attempts) await s.deps.sleep(s.deps.retryDelayMs);
      }
    }
    return { ok: false, attempts, error: lastError, lockedBy };
  } finally {
    s.interruption.leaveTeardown();
  }
}

/**
 * Checks that the cloud accepts the stack (exit 9 otherwise, nothing set), sets `key` to `id`, runs `up`
 * (the instance boots), and tears down in a finally.
 */
export async function bootAndTearDown(s: Session, key: RunKey, id: string, what: string): Promise<BootResult> {
  await checkCloudAccess(s);
  const startedAt = s.deps.now();
  let outputs: OutputMap | undefined;
  let error: unknown;
  let upEndedAt = startedAt;
  let teardown: TeardownResult = { ok: false, attempts: 0 };
  let lockedBy: string | undefined;
  try {
    if (s.interruption.signal) throw new OpsError(ExitCode.Interrupted, `${s.interruption.signal} before the boot`);
    await s.stack.setConfig(key, { value: id });
    if (s.interruption.signal) throw new OpsError(ExitCode.Interrupted, `${s.interruption.signal} before the boot`);
    s.log(`pra:${key}=${id}: pulumi up boots the standby and ${what}`);
    const result = await s.stack.up({
      onOutput: s.engine.onOutput,
      onError: s.engine.onError,
      signal: s.interruption.abortSignal,
    });
    outputs = result.outputs;
  } catch (e) {
    error = e;
    lockedBy = lockRefusal(e);
    s.log(`the up with pra:${key} failed: ${errorText(e)}`);
  } finally {
    upEndedAt = s.deps.now();
    // Refused by the lock, the boot changed nothing: no instance to delete, and a teardown up would be refused too.
    if (lockedBy === undefined) teardown = await tearDown(s, [key], `end of ${id}`);
  }
  if (lockedBy !== undefined) {
    await s.stack.removeConfig(key);
    throw new OpsError(
      ExitCode.Locked,
      `nothing was booted or changed, pra:${key} removed again: ${lockAdvice(s.stackName, lockedBy)}`,
    );
  }
  const instanceMinutes = (s.deps.now().getTime() - startedAt.getTime()) / 60_000;
  return { outputs, error, startedAt, upEndedAt, teardown, instanceMinutes };
}

/**
 * A run that crashed (kill -9, power cut) left its key set and maybe an instance running: remove the
 * key and `up` before anything else, and say so. A failure here means the instance may still exist.
 */
export async function cleanUpLeftovers(s: Session): Promise<void> {
  const leftovers: RunKey[] = [];
  if (s.settings.syncRun) leftovers.push("syncRun");
  if (s.settings.drillRun) leftovers.push("drillRun");
  const last = s.lastUpdate;
  if (leftovers.length > 0) {
    const which = leftovers.map((k) => `pra:${k}=${k === "syncRun" ? s.settings.syncRun : s.settings.drillRun}`);
    s.log(
      `found ${which.join(" and ")} left by a run that did not finish: removing it and deleting its instance first`,
    );
  } else if (last && (last.syncRun || last.drillRun)) {
    // The config here is clean, but the state was last updated by a run that never tore down: it died
    // on a machine whose config we do not see (a CI runner), and its instance may still be running.
    s.log(
      `${describeUpdate(last)} ran with ${last.syncRun ? `pra:syncRun=${last.syncRun}` : `pra:drillRun=${last.drillRun}`} ` +
        "and no teardown followed (a run died elsewhere): deleting its instance first",
    );
  } else if (last?.result === "failed") {
    // e.g. last night's teardown failed: the instance may still be in the state.
    s.log(`${describeUpdate(last)} did not succeed: running up first so that no instance is left`);
  } else {
    return;
  }
  const result = await tearDown(s, leftovers, "leftover of an earlier run");
  s.lastUpdate = undefined;
  if (result.lockedBy !== undefined) {
    // Nothing changed: the keys go back, so that the next run still knows what to clean up.
    for (const key of leftovers) await s.stack.setConfig(key, { value: s.settings[key] });
    throw new OpsError(
      ExitCode.Locked,
      `the leftover could not be removed, nothing was changed: ${lockAdvice(s.stackName, result.lockedBy)}`,
    );
  }
  if (!result.ok) {
    throw new OpsError(ExitCode.TeardownFailed, `could not remove the leftover instance: ${result.error}`);
  }
  s.settings = { ...s.settings, syncRun: "", drillRun: "" };
}
