import type { OutputMap } from "@pulumi/pulumi/automation";
import { buildPlan, type StandbyAddress, type StepInput } from "../sync/plan";
import { PrimaryUnreachable } from "../sync/runner/failback";
import { type SshKit, sshKit } from "../sync/runner/keys";
import { type CommonArgs, failbackUsage, parseFailbackArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, exitCodeMeaning, notOk, OpsError } from "./exitCodes";
import { type Failure, runJob } from "./job";
import type { JobSpec } from "./jobStart";
import { runId } from "./recoveryRecord";
import type { Session } from "./session";
import { parseSyncKeys } from "./settings";
import { writeFailbackResult } from "./status";
import { errorText, lockAdvice, lockRefusal } from "./workspace";

/** The data path of the failback (sync/failback), injectable so the orchestration is testable without hosts. */
export type FailbackData = (input: StepInput, kit: SshKit, log: (line: string) => void) => Promise<string[]>;

const failback: JobSpec<CommonArgs> = {
  job: "failback",
  prefix: "pra failback",
  parse: parseFailbackArgs,
  usage: failbackUsage,
  what: (a) => `failback of stack ${a.stack}`,
};

/** What the data path needs: the standby from the stack's outputs, the primary from its config. */
export function failbackInput(s: Session, outputs: OutputMap, now: Date): StepInput {
  const value = (key: string) => {
    const v = outputs[key]?.value;
    if (typeof v !== "string" || v === "") {
      throw new OpsError(
        ExitCode.Usage,
        `stack ${s.stackName} has no ${key} output: run pulumi up once before a failback`,
      );
    }
    return v;
  };
  const standby: StandbyAddress = {
    host: value("floatingIp"),
    user: value("sshUser"),
    // `alias,address type key`: the key is what follows the names.
    hostPublicKey: value("knownHosts").trim().split(/\s+/).slice(1).join(" "),
    hostKeyAlias: value("hostKeyAlias"),
  };
  const { sync, primaryPrivateKey } = parseSyncKeys(s.get);
  return {
    plan: buildPlan(sync, standby, runId("failback", now)),
    secrets: { standbyPrivateKey: value("syncPrivateKey"), primaryPrivateKey },
  };
}

/**
 * Failback: only while failed over; the data comes back to the primary first (verified), and only
 * then does praActive go to false and `up` remove the standby. Returns the exit code; never throws.
 */
export function runFailback(argv: string[], deps: OpsDeps, data: FailbackData): Promise<number> {
  return runJob(failback, argv, deps, (run) => ({
    body: async (s): Promise<Failure | undefined> => {
      await failBack(s, run.startedAt, data);
      return undefined;
    },
    failed: (f) => f,
    async finish(failure) {
      const code = failure?.code ?? ExitCode.Ok;
      writeFailbackResult(run.args.workDir, {
        job: "failback",
        stack: run.args.stack,
        exitCode: code,
        result: exitCodeMeaning[code],
        detail: failure?.detail ?? "the primary serves again",
        startedAt: run.startedAt.toISOString(),
        finishedAt: deps.now().toISOString(),
      });
      if (!failure) return ExitCode.Ok;
      run.log(`${notOk(failure.code)}: ${failure.detail}`);
      return failure.code;
    },
  }));
}

async function failBack(s: Session, startedAt: Date, data: FailbackData): Promise<void> {
  if (!s.settings.praActive && s.lastUpdate?.praActive) {
    // Failed over from elsewhere (the failover workflow, a borrowed laptop): this checkout's stack file
    // never saw praActive=true. Written here first, so an up from this checkout cannot take the serving
    // standby down while the failback is under way or after it failed.
    s.log(
      `the last update of stack ${s.stackName} ran with praActive=true (a failover from another machine): ` +
        "setting it here too before failing back",
    );
    await s.stack.setConfig("pra:praActive", { value: "true" });
  } else if (!s.settings.praActive) {
    throw new OpsError(
      ExitCode.Usage,
      `pra:praActive is not true on stack ${s.stackName}: not failed over, nothing to fail back`,
    );
  }
  const input = failbackInput(s, await s.stack.outputs(), startedAt);
  const kit = sshKit(input);
  try {
    await data(input, kit, s.log);
  } catch (e) {
    if (e instanceof PrimaryUnreachable) throw new OpsError(ExitCode.PrimaryUnreachable, e.message);
    throw new OpsError(ExitCode.Failed, `${errorText(e)}; the standby keeps serving, praActive stays true`);
  } finally {
    await kit.dispose();
  }
  s.log("the primary holds the data: setting praActive to false and removing the standby");
  await s.stack.setConfig("pra:praActive", { value: "false" });
  try {
    await s.stack.up({ onOutput: s.engine.onOutput, onError: s.engine.onError });
  } catch (e) {
    const lockedBy = lockRefusal(e);
    if (lockedBy !== undefined) {
      // Refused before it changed anything: the standby still serves, so praActive goes back to true.
      await s.stack.setConfig("pra:praActive", { value: "true" });
      throw new OpsError(
        ExitCode.Locked,
        `the data is back on the primary, but the up that removes the standby was refused; nothing changed, ` +
          `the standby keeps serving and praActive stays true: ${lockAdvice(s.stackName, lockedBy)}`,
      );
    }
    throw new OpsError(
      ExitCode.TeardownFailed,
      `the data is back on the primary, but the up that removes the standby failed: ${errorText(e)}. ` +
        `Fix: pulumi up --stack ${s.stackName}`,
    );
  }
  s.log("ok: the primary serves again; the standby is back to a cold copy (the next nightly sync refreshes it)");
}
