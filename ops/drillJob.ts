import { join } from "node:path";
import { alertOperator } from "./alert";
import { type DrillArgs, drillUsage, parseDrillArgs } from "./args";
import type { OpsDeps } from "./deps";
import { liveDrill } from "./drillLive";
import { previewDrill, printPlanUse, writeReport } from "./drillPreview";
import { type DrillFacts, formatDuration, renderDrillReport } from "./drillReport";
import { ExitCode, exitCodeMeaning, notOk } from "./exitCodes";
import { type JobRun, runJob } from "./job";
import type { JobSpec } from "./jobStart";
import { runId } from "./recoveryRecord";
import type { Session } from "./session";
import { praDir } from "./status";

const PREFIX = "pra drill";

const drill: JobSpec<DrillArgs> = {
  job: "drill",
  prefix: PREFIX,
  parse: parseDrillArgs,
  usage: drillUsage,
  what: (a) => `${a.live ? "live" : "preview"} drill of stack ${a.stack}`,
};

/** `npm run drill [-- --live]`. Returns the exit code (exitCodes.ts); never throws. */
export function runDrill(argv: string[], deps: OpsDeps): Promise<number> {
  return runJob(drill, argv, deps, (run) => {
    const { args, startedAt } = run;
    const dir = praDir(args.workDir);
    const id = runId("drill", startedAt);
    const planFile = args.planFile ?? join(dir, "failover-plan.json");
    return {
      body: (s) => (args.live ? liveDrill(s, { id, startedAt }) : previewDrill(s, { id, startedAt }, planFile)),
      failed: (f): DrillFacts => ({ id, startedAt, kind: args.live ? "live" : "preview", stack: args.stack, ...f }),
      async finish(facts, session) {
        await report(run, facts, session, dir);
        return facts.code;
      },
    };
  });
}

/** The report file, the summary line and, for a drill that failed, the alert. */
async function report(
  run: JobRun<DrillArgs>,
  facts: DrillFacts,
  session: Session | undefined,
  dir: string,
): Promise<void> {
  const { deps } = run;
  const report = renderDrillReport(facts);
  const reportFile = writeReport(dir, facts.id, report);
  deps.out(`\n${report}\n`);
  if (facts.code === ExitCode.Ok && facts.planFile && session) printPlanUse(session, facts.planFile);
  const timing = facts.recoverySeconds !== undefined ? ` recovery time=${formatDuration(facts.recoverySeconds)}` : "";
  const minutes = facts.instanceMinutes !== undefined ? ` instance minutes=${facts.instanceMinutes.toFixed(1)}` : "";
  const detail = facts.detail.replace(/\s*\n\s*/g, " | ");
  const summary =
    facts.code === ExitCode.Ok
      ? `${PREFIX}: ok ${facts.kind} ${facts.id}${timing}${minutes} report=${reportFile}`
      : `${PREFIX}: ${notOk(facts.code)} ${facts.kind} ${facts.id}${minutes} report=${reportFile}: ${detail}`;
  // A drill that fails means the failover would fail: worth waking someone. A refusal is deliberate,
  // and a lock means another update runs (as for the nightly job: its owner reports).
  const quiet: ExitCode[] = [ExitCode.Ok, ExitCode.RefusedActive, ExitCode.Locked];
  if (session && !quiet.includes(facts.code)) {
    await alertOperator(
      session.settings,
      {
        subject: summary,
        text: `${summary}\n${facts.error ?? ""}\nrunbook: docs/RUNBOOK.md#drills`.trim(),
        details: {
          job: "drill",
          kind: facts.kind,
          stack: run.args.stack,
          exitCode: facts.code,
          result: exitCodeMeaning[facts.code],
        },
      },
      deps,
      run.log,
    );
  }
  deps.out(`${summary}\n`);
}
