import { projectDefaults } from "../config";
import { sendAlert } from "./alert";
import { certificateWarning } from "./certificate";
import type { OpsDeps } from "./deps";
import { ExitCode, exitCodeMeaning } from "./exitCodes";
import { ageHours, formatHours, type RecoveryRecord } from "./recoveryRecord";
import type { Session } from "./session";
import { writeStatus } from "./status";

export const PREFIX = "pra nightly";

/** What one night ended with; the summary, status file and alert are all made from it. */
export interface Outcome {
  code: ExitCode;
  /** Why it failed, or what it did. */
  detail: string;
  run?: string;
  record?: RecoveryRecord;
  verifiedUnchangedAt?: Date;
  instanceMinutes: number;
  /** stateLocation's warning: the stack's state would not survive this machine. */
  stateWarning?: string;
}

export interface FinishContext {
  args: { stack: string; workDir: string };
  deps: OpsDeps;
  log: (line: string) => void;
  session?: Session;
  startedAt: Date;
}

/** Data age, staleness, the summary line, the status file and the alert. */
export async function finish(outcome: Outcome, c: FinishContext): Promise<void> {
  const now = c.deps.now();
  const settings = c.session?.settings;
  // Without settings (the stack's config could not be read) the declared default still judges staleness.
  const maxAge = settings?.maxDataAgeHours ?? projectDefaults().integer("maxDataAgeHours");
  const dataAge = ageHours(outcome.record?.snapshotTime, now);
  // The standby is as good as the primary from the last moment they were known equal: a sync's
  // snapshot, or a change check that found nothing new. A quiet blog is not stale.
  const currentAsOf = outcome.verifiedUnchangedAt?.toISOString() ?? outcome.record?.snapshotTime;
  const currentAge = ageHours(currentAsOf, now);
  // Not judged while failed over (the standby is the site). A lock is judged on the record when the
  // job read one: a lock left behind by a killed pulumi would otherwise keep every night quiet at exit 4
  // while the data ages.
  const judged =
    outcome.code !== ExitCode.RefusedActive && (outcome.code !== ExitCode.Locked || currentAge !== undefined);
  const stale = judged && (currentAge === undefined || currentAge > maxAge);
  if (outcome.code === ExitCode.Ok && stale) {
    outcome.code = ExitCode.Stale;
    outcome.detail = `${outcome.detail}; but the newest recovery point (${outcome.record?.snapshotTime ?? "none"}) is older than ${maxAge}h`;
  }
  // One line: multi-line pulumi errors are joined, their full text was streamed above.
  outcome.detail = outcome.detail.replace(/\s*\n\s*/g, " | ");
  const fields = `run=${outcome.run ?? "-"} data age=${formatHours(dataAge)} instance minutes=${outcome.instanceMinutes.toFixed(1)}`;
  // A refusal is deliberate (failed over): it is not reported as a failure.
  const word = outcome.code === ExitCode.Ok ? "ok" : outcome.code === ExitCode.RefusedActive ? "REFUSED" : "FAILED";
  const certWarning = certificateWarning(outcome.record, now);
  const warningText = `${certWarning ? `; WARNING: ${certWarning}` : ""}${outcome.stateWarning ? `; ${outcome.stateWarning}` : ""}`;
  const summary =
    outcome.code === ExitCode.Ok
      ? `${PREFIX}: ok ${fields} (${outcome.detail})${warningText}`
      : `${PREFIX}: ${word} exit=${outcome.code} (${exitCodeMeaning[outcome.code]}) ${fields}: ${outcome.detail}${warningText}`;
  const statusFile = writeStatus(c.args.workDir, {
    job: "nightly",
    stack: c.args.stack,
    summary,
    exitCode: outcome.code,
    result: exitCodeMeaning[outcome.code],
    run: outcome.run,
    startedAt: c.startedAt.toISOString(),
    finishedAt: now.toISOString(),
    snapshotTime: outcome.record?.snapshotTime,
    dataAgeHours: dataAge === undefined ? undefined : Number(dataAge.toFixed(2)),
    verifiedUnchangedAt: outcome.verifiedUnchangedAt?.toISOString(),
    maxDataAgeHours: maxAge,
    instanceMinutes: Number(outcome.instanceMinutes.toFixed(2)),
    stateWarning: outcome.stateWarning,
    ...(outcome.record?.certificate ? { certificate: outcome.record.certificate } : {}),
    ...(certWarning ? { warnings: [certWarning] } : {}),
  });
  c.log(`status written to ${statusFile}`);
  // A refusal is a deliberate state (failed over), a lock means another run reports: no alert for those.
  const quiet: ExitCode[] = [ExitCode.Ok, ExitCode.RefusedActive, ExitCode.Locked];
  const alertWorthy = !quiet.includes(outcome.code);
  if (settings && (alertWorthy || stale || certWarning)) {
    const staleLine = stale
      ? `\nThe standby's data was last known current at ${currentAsOf ?? "never"} (bound ${maxAge}h).`
      : "";
    const certLine = certWarning
      ? `\nCertificate: ${certWarning}. Renewal on the standby during a long failover: docs/RUNBOOK.md#https.`
      : "";
    await sendAlert(
      { command: settings.alertCommand, url: settings.alertUrl },
      {
        subject: summary,
        text: `${summary}${staleLine}${certLine}${outcome.stateWarning ? `\n${outcome.stateWarning}` : ""}\nstack ${c.args.stack}; runbook: docs/RUNBOOK.md#nightly-sync`,
        details: {
          job: "nightly",
          stack: c.args.stack,
          exitCode: outcome.code,
          result: exitCodeMeaning[outcome.code],
          stale,
          dataAgeHours: dataAge,
          snapshotTime: outcome.record?.snapshotTime,
          certificate: outcome.record?.certificate,
          certificateWarning: certWarning,
        },
      },
      { fetch: c.deps.fetch, timeoutMs: c.deps.alertTimeoutMs, log: c.log },
    );
  }
  if (outcome.stateWarning) c.log(outcome.stateWarning);
  c.deps.out(`${summary}\n`);
}
