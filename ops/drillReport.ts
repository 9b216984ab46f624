import type { OutputMap } from "@pulumi/pulumi/automation";
import { ExitCode, exitCodeMeaning } from "./exitCodes";
import { formatHours, type RecoveryRecord } from "./recoveryRecord";

/** Facts of one drill; rendered as the markdown report that is the evidence the plan works. */
export interface DrillFacts {
  id: string;
  kind: "preview" | "live";
  stack: string;
  startedAt: Date;
  code: ExitCode;
  detail: string;
  record?: RecoveryRecord;
  recordAgeHours?: number;
  /** Live: from setting pra:drillRun until the up that boots and checks the standby returned. */
  recoverySeconds?: number;
  instanceMinutes?: number;
  teardown?: { ok: boolean; attempts: number; error?: string };
  outputs?: OutputMap;
  /** Preview: where the update plan was saved, and the change counts. */
  planFile?: string;
  changes?: Record<string, number>;
  clearedKeys?: string[];
  error?: string;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

const cell = (v: string) => v.replace(/\|/g, "\\|").replace(/\n/g, " ");

function outputRows(outputs: OutputMap): string[] {
  return Object.keys(outputs)
    .filter((k) => k !== "recoveryPoint")
    .sort()
    .map((k) => {
      const { value, secret } = outputs[k];
      const text = secret ? "[secret]" : typeof value === "string" ? value : JSON.stringify(value);
      return `| ${cell(k)} | ${cell(text.length > 160 ? `${text.slice(0, 157)}...` : text)} |`;
    });
}

export function renderDrillReport(f: DrillFacts): string {
  const passed = f.code === 0;
  const lines = [
    `# PRA drill ${f.id} (${f.kind}) on stack ${f.stack}`,
    "",
    "| | |",
    "| --- | --- |",
    `| result | ${passed ? "PASSED" : `FAILED (exit ${f.code}: ${exitCodeMeaning[f.code]})`} |`,
    `| started | ${f.startedAt.toISOString()} |`,
    `| detail | ${cell(f.detail)} |`,
  ];
  if (f.record) {
    lines.push(
      `| recovery point | run ${f.record.run}, database snapshot ${f.record.snapshotTime}, ${formatHours(f.recordAgeHours)} old at the start |`,
    );
  }
  if (f.recoverySeconds !== undefined) {
    lines.push(
      `| recovery time | ${formatDuration(f.recoverySeconds)} (pra:drillRun set until the up that boots and checks the standby returned) |`,
    );
  }
  if (f.instanceMinutes !== undefined)
    lines.push(`| instance minutes | ${f.instanceMinutes.toFixed(1)} (until the teardown finished) |`);
  if (f.teardown) {
    lines.push(
      `| teardown | ${f.teardown.ok ? `done (attempt ${f.teardown.attempts})` : `FAILED after ${f.teardown.attempts} attempts: ${cell(f.teardown.error ?? "")}`} |`,
    );
  }
  if (f.planFile) lines.push(`| update plan | \`${f.planFile}\` |`);
  if (f.changes && Object.keys(f.changes).length > 0) {
    lines.push(
      `| changes | ${Object.entries(f.changes)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ")} |`,
    );
  }
  if (f.clearedKeys && f.clearedKeys.length > 0) {
    lines.push(
      `| note | ${f.clearedKeys.join(", ")} set on the stack: left out of the failover copy; a real failover must clear them |`,
    );
  }
  if (f.outputs && Object.keys(f.outputs).length > 0) {
    lines.push(
      "",
      "## Stack outputs while the standby ran",
      "",
      "| output | value |",
      "| --- | --- |",
      ...outputRows(f.outputs),
    );
  }
  if (f.error) lines.push("", "## Error", "", "```", f.error, "```");
  lines.push("", "## What this shows", "", ...whatThisShows(f));
  return `${lines.join("\n")}\n`;
}

/**
 * What THIS drill showed, from its own facts: a failed or interrupted drill must not read like a
 * passed one, and only a plan file this run saved may be offered for a failover.
 */
export function whatThisShows(f: DrillFacts): string[] {
  return f.kind === "preview" ? previewShows(f) : liveShows(f);
}

const stoppedEarly = (f: DrillFacts, what: string) =>
  `- This ${f.kind} drill ended before ${what} (exit ${f.code}: ${exitCodeMeaning[f.code]}; see detail): it shows nothing about the failover yet.`;

function previewShows(f: DrillFacts): string[] {
  const noPlan =
    "- This run saved no update plan: a plan file from an earlier drill is stale, do not fail over with its `--plan`.";
  if (f.code === ExitCode.Ok) {
    return [
      "- This preview drill passed: the program accepts praActive=true with this stack's config and state, and the plan lists every change a failover makes.",
      "- A preview never runs the @pulumi/command steps: the scripts are proven by the live drill, not here.",
      f.planFile
        ? `- A real failover that must do exactly this: \`pulumi config set praActive true --stack ${f.stack} && pulumi up --stack ${f.stack} --plan ${f.planFile}\` (a plan is only valid until the next up changes the state: re-run the drill after each sync).`
        : noPlan,
    ];
  }
  if (f.code === ExitCode.Interrupted) {
    return [stoppedEarly(f, "the failover preview finished"), noPlan];
  }
  if (f.error !== undefined) {
    return [
      "- This preview drill FAILED: the program does not accept praActive=true with this stack's config and state (error above); a real failover would fail the same way until that is fixed.",
      noPlan,
    ];
  }
  // Refused, locked, a bad flag, or the real stack file changed: the detail says which.
  return [
    `- This preview drill did not complete (exit ${f.code}: ${exitCodeMeaning[f.code]}; see detail): it shows nothing about the failover.`,
    noPlan,
  ];
}

function liveShows(f: DrillFacts): string[] {
  const checked = f.recoverySeconds !== undefined;
  if (f.code === ExitCode.Ok) {
    return [
      "- This live drill passed: the image boots with the data volume's newest recovery point; the up only returns after the program's own checks passed.",
      "- The web stayed closed to the public and the instance was deleted again; DNS was not touched.",
    ];
  }
  if (!f.teardown) return [stoppedEarly(f, "booting anything")];
  const boot = checked
    ? "- The standby booted on the newest recovery point and passed the program's checks."
    : f.code === ExitCode.Interrupted
      ? stoppedEarly(f, "the standby's checks finished")
      : "- This live drill FAILED: the standby did not come up healthy on the newest recovery point (error above); a real failover would fail the same way until that is fixed.";
  const end = f.teardown.ok
    ? "- The instance was deleted again; the web stayed closed to the public and DNS was not touched."
    : "- The teardown FAILED: the drill instance may still be running and costing money (the detail says how to remove it).";
  return [boot, end];
}
