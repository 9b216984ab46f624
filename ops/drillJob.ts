import { join } from "node:path";
import { sendAlert } from "./alert";
import { drillUsage, parseDrillArgs } from "./args";
import type { OpsDeps } from "./deps";
import { liveDrill } from "./drillLive";
import { previewDrill, printPlanUse, writeReport } from "./drillPreview";
import { type DrillFacts, formatDuration, renderDrillReport } from "./drillReport";
import { ExitCode, exitCodeMeaning, OpsError } from "./exitCodes";
import { startJob } from "./jobStart";
import { runId } from "./recoveryRecord";
import { openSession, type Session } from "./session";
import { Interruption } from "./signals";
import { praDir } from "./status";
import { errorText } from "./workspace";

const PREFIX = "pra drill";

/** `npm run drill [-- --live]`. Returns the exit code (exitCodes.ts); never throws. */
export async function runDrill(argv: string[], deps: OpsDeps): Promise<number> {
  const started = startJob(
    PREFIX,
    argv,
    deps,
    parseDrillArgs,
    drillUsage,
    (a) => `${a.live ? "live" : "preview"} drill of stack ${a.stack}`,
  );
  if ("code" in started) return started.code;
  const { args, lock, log } = started;
  const dir = praDir(args.workDir);
  const startedAt = deps.now();
  const id = runId("drill", startedAt);
  const interruption = new Interruption(deps.signals, log);
  interruption.install();
  let session: Session | undefined;
  let facts: DrillFacts;
  const planFile = args.planFile ?? join(dir, "failover-plan.json");
  try {
    session = await openSession({
      job: "drill",
      stackName: args.stack,
      workDir: args.workDir,
      log,
      interruption,
      deps,
    });
    facts = args.live
      ? await liveDrill(session, { id, startedAt })
      : await previewDrill(session, { id, startedAt }, planFile);
  } catch (e) {
    facts = {
      id,
      startedAt,
      kind: args.live ? "live" : "preview",
      stack: args.stack,
      code: e instanceof OpsError ? e.code : ExitCode.Failed,
      detail: e instanceof OpsError ? e.message : errorText(e),
    };
  } finally {
    interruption.dispose();
  }
  try {
    const report = renderDrillReport(facts);
    const reportFile = writeReport(dir, id, report);
    deps.out(`\n${report}\n`);
    if (facts.code === ExitCode.Ok && facts.kind === "preview" && session) printPlanUse(session, planFile);
    const timing = facts.recoverySeconds !== undefined ? ` recovery time=${formatDuration(facts.recoverySeconds)}` : "";
    const minutes = facts.instanceMinutes !== undefined ? ` instance minutes=${facts.instanceMinutes.toFixed(1)}` : "";
    const detail = facts.detail.replace(/\s*\n\s*/g, " | ");
    const summary =
      facts.code === ExitCode.Ok
        ? `${PREFIX}: ok ${facts.kind} ${id}${timing}${minutes} report=${reportFile}`
        : `${PREFIX}: ${facts.code === ExitCode.RefusedActive ? "REFUSED" : "FAILED"} exit=${facts.code} (${exitCodeMeaning[facts.code]}) ${facts.kind} ${id}${minutes} report=${reportFile}: ${detail}`;
    // A drill that fails means the failover would fail: worth waking someone. A refusal is deliberate.
    if (session && facts.code !== ExitCode.Ok && facts.code !== ExitCode.RefusedActive) {
      await sendAlert(
        { command: session.settings.alertCommand, url: session.settings.alertUrl },
        {
          subject: summary,
          text: `${summary}\n${facts.error ?? ""}\nrunbook: docs/RUNBOOK.md#drills`.trim(),
          details: {
            job: "drill",
            kind: facts.kind,
            stack: args.stack,
            exitCode: facts.code,
            result: exitCodeMeaning[facts.code],
          },
        },
        { fetch: deps.fetch, timeoutMs: deps.alertTimeoutMs, log },
      );
    }
    deps.out(`${summary}\n`);
  } finally {
    lock.release();
  }
  return facts.code;
}
