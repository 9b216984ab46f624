import type { DrillFacts } from "./drillReport";
import { ExitCode, OpsError } from "./exitCodes";
import { ageHours, parseRecoveryRecord } from "./recoveryRecord";
import { refuseWhileActive, type Session } from "./session";
import { bootAndTearDown, cleanUpLeftovers } from "./transient";
import { errorText } from "./workspace";

/**
 * `npm run drill -- --live`: boots the standby on the newest recovery point with pra:drillRun (web
 * closed to the public; the program checks the blog before the up returns), measures the recovery
 * time, and tears down in a finally.
 */
export async function liveDrill(s: Session, facts: Pick<DrillFacts, "id" | "startedAt">): Promise<DrillFacts> {
  refuseWhileActive(
    s,
    "the live drill",
    "The drill would take over and then delete the instance that serves the blog.",
  );
  await cleanUpLeftovers(s);
  const record = parseRecoveryRecord((await s.stack.outputs()).recoveryPoint?.value);
  if (!record) {
    throw new OpsError(
      ExitCode.Usage,
      "no recovery point recorded yet: run npm run sync:nightly first, nothing booted",
    );
  }
  const recordAgeHours = ageHours(record.snapshotTime, s.deps.now());
  s.log(`drilling on recovery point ${record.run} (database snapshot ${record.snapshotTime})`);
  const boot = await bootAndTearDown(s, "drillRun", facts.id, "checks it with the web closed to the public");
  const result: DrillFacts = {
    ...facts,
    kind: "live",
    stack: s.stackName,
    code: ExitCode.Ok,
    detail: "the standby booted on the newest recovery point and passed the program's checks",
    record,
    recordAgeHours,
    instanceMinutes: boot.instanceMinutes,
    teardown: boot.teardown,
    outputs: boot.outputs,
  };
  if (!boot.error) result.recoverySeconds = (boot.upEndedAt.getTime() - boot.startedAt.getTime()) / 1000;
  if (boot.error) result.error = errorText(boot.error, 20);
  if (!boot.teardown.ok) {
    result.code = ExitCode.TeardownFailed;
    const locked = boot.teardown.lockedBy ? ` (${boot.teardown.error})` : "";
    result.detail =
      `the drill instance may still be running${locked}: pulumi config rm drillRun --stack ${s.stackName} && ` +
      `pulumi up --stack ${s.stackName}`;
  } else if (s.interruption.signal) {
    result.code = ExitCode.Interrupted;
    result.detail = `stopped by ${s.interruption.signal}, instance torn down`;
  } else if (boot.error) {
    result.code = ExitCode.Failed;
    result.detail = "the standby did not come up healthy: a real failover would fail the same way";
  }
  return result;
}
