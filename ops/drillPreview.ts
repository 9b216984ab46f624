import { chmodSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { failoverConfigCopy, sha256File } from "./configCopy";
import type { DrillFacts } from "./drillReport";
import { ExitCode, OpsError } from "./exitCodes";
import { refuseWhileActive, type Session } from "./session";
import { errorText } from "./workspace";

/**
 * `npm run drill`: a preview of the failover that cannot arm it. praActive=true exists only in a
 * throw-away copy of the stack file passed with --config-file; the real file is hashed before and after.
 */
export async function previewDrill(
  s: Session,
  facts: Pick<DrillFacts, "id" | "startedAt">,
  planFile: string,
): Promise<DrillFacts> {
  refuseWhileActive(s, "the failover drill", "A failover plan makes no sense while failed over.");
  const realFile = join(s.workDir, `Pulumi.${s.stackName}.yaml`);
  const realBefore = sha256File(realFile);
  const copy = failoverConfigCopy(realFile);
  if (copy.cleared.length > 0) {
    s.log(
      `note: ${copy.cleared.join(", ")} is set on the stack (a run in progress or a leftover): left out of the copy`,
    );
  }
  s.log(`preview of the failover with praActive=true in a throw-away copy of ${realFile}`);
  const base: DrillFacts = {
    ...facts,
    kind: "preview",
    stack: s.stackName,
    code: ExitCode.Ok,
    detail: "",
    clearedKeys: copy.cleared,
  };
  const planBefore = planStamp(planFile);
  try {
    const result = await s.stack.preview({
      configFile: copy.file,
      plan: planFile,
      diff: true,
      onOutput: s.engine.onOutput,
      onError: s.engine.onError,
      signal: s.interruption.abortSignal,
    });
    base.changes = Object.fromEntries(
      Object.entries(result.changeSummary).filter((e): e is [string, number] => typeof e[1] === "number"),
    );
    // Only a plan this run saved is offered for a failover; the report never names an older one.
    if (existsSync(planFile) && planStamp(planFile) !== planBefore) {
      chmodSync(planFile, 0o600); // the plan holds the resources' inputs
      base.planFile = planFile;
      base.detail = `failover previewed, update plan saved to ${planFile}`;
    } else {
      base.detail = `failover previewed, but no update plan was saved to ${planFile}`;
    }
  } catch (e) {
    base.code = s.interruption.signal ? ExitCode.Interrupted : ExitCode.Failed;
    base.detail = "the failover preview failed: a real failover would fail the same way";
    base.error = errorText(e, 20);
  } finally {
    copy.dispose();
    guardRealFile(realFile, realBefore);
  }
  return base;
}

/** When the plan file was last written (undefined: none), to tell this run's plan from an older one. */
function planStamp(file: string): bigint | undefined {
  return existsSync(file) ? statSync(file, { bigint: true }).mtimeNs : undefined;
}

/**
 * Defence in depth: nothing above writes the real file, but if anything did (a CLI bug, a future
 * change), the operator must know before the next `up` turns a drill into a failover.
 */
function guardRealFile(realFile: string, before: string): void {
  if (sha256File(realFile) === before) return;
  throw new OpsError(
    ExitCode.Failed,
    `${realFile} CHANGED during the drill. Check it before any pulumi up: pulumi config get praActive ` +
      "(must be false unless you are failing over).",
  );
}

export function printPlanUse(s: Session, planFile: string): void {
  s.log("how a real failover uses this plan (exactly these changes, or it stops):");
  s.log(
    `  pulumi config set praActive true --stack ${s.stackName} && pulumi up --stack ${s.stackName} --plan ${planFile}`,
  );
  s.log(
    "the plan is stale after the next up (e.g. tonight's sync): re-run `npm run drill` then, or fail over without --plan",
  );
}

export function writeReport(dir: string, id: string, body: string): string {
  const file = join(dir, `${id}.md`);
  writeFileSync(file, body, { mode: 0o644 });
  return file;
}
