import type { OutputMap } from "@pulumi/pulumi/automation";
import { type ExitCode, exitCodeMeaning } from "./exitCodes";
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
  lines.push("", "## What this shows", "");
  if (f.kind === "preview") {
    lines.push(
      "- The program accepts praActive=true with this stack's config and state, and the plan lists every change a failover makes.",
      "- A preview never runs the @pulumi/command steps: the scripts are proven by the live drill, not here.",
      `- A real failover that must do exactly this: \`pulumi config set praActive true --stack ${f.stack} && pulumi up --stack ${f.stack} --plan ${f.planFile ?? ".pra/failover-plan.json"}\` (a plan is only valid until the next up changes the state: re-run the drill after each sync).`,
    );
  } else {
    lines.push(
      "- The image boots with the data volume's newest recovery point; the up only returns after the program's own checks passed.",
      "- The web stayed closed to the public and the instance was deleted again; DNS was not touched.",
    );
  }
  return `${lines.join("\n")}\n`;
}
