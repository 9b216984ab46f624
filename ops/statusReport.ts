import { CheckExitCode } from "./exitCodes";
import type { LastResult, LastResults } from "./lastResults";
import type { LastUpdate } from "./lastUpdate";
import { ageHours, formatHours, type RecoveryRecord } from "./recoveryRecord";
import type { StateLocation } from "./stateLocation";

/** A certificate expiring within this many days is a warning (status, alert). */
export const CERTIFICATE_WARNING_DAYS = 14;

/** What `npm run status` reads: the stack's outputs and history, its config file, and .pra/ on this machine. */
export interface StatusInputs {
  stack: string;
  now: Date;
  /** The `mode` output, as the last update left it. */
  mode?: string;
  /** pra:praActive in this checkout's stack file. */
  praActive: boolean;
  lastUpdate?: LastUpdate;
  /** The `recoveryPoint` output as stored: "" before the first sync, "{}" when nothing verified serves. */
  recoveryPointRaw?: string;
  record?: RecoveryRecord;
  monthlyCostEur?: number;
  maxDataAgeHours: number;
  state: StateLocation;
  results: LastResults;
}

export interface StatusReport {
  stack: string;
  mode: string;
  state: { url: string; kind: StateLocation["kind"] };
  /** Hours since the newest recovery point's database snapshot: the data a failover would lose. */
  dataAgeHours?: number;
  maxDataAgeHours: number;
  newestRecoveryPoint?: { run: string; snapshotTime: string };
  /** Names usable as pra:restorePoint, newest first (empty when the record predates the list). */
  recoveryPoints: string[];
  certificate?: { names: string[]; notAfter: string; daysLeft: number };
  monthlyCostEur?: number;
  lastNightly?: LastResult;
  lastDrill?: LastResult;
  lastFailback?: LastResult;
  warnings: string[];
  exitCode: CheckExitCode;
}

const round = (n: number | undefined, digits = 1) => (n === undefined ? undefined : Number(n.toFixed(digits)));

/** Everything status shows, and what needs attention, each warning with what to do. */
export function buildStatus(i: StatusInputs): StatusReport {
  const warnings: string[] = [];
  const failedOver = i.praActive || i.lastUpdate?.praActive === true || i.mode === "active";
  if (i.state.warning) warnings.push(i.state.warning);
  if (failedOver) {
    warnings.push(
      "failed over: the standby serves the blog. When the primary is back: npm run failback (docs/RUNBOOK.md, Failback)",
    );
  } else if (i.mode === "syncing" || i.mode === "drill") {
    warnings.push(
      `an instance is up (mode ${i.mode}) although no run should be going: if none is, npm run sync:nightly removes ` +
        "what a dead run left (docs/RUNBOOK.md, Nightly sync)",
    );
  }
  if (i.lastUpdate?.result === "in-progress") {
    warnings.push(
      `an update is in progress since ${i.lastUpdate.startTime} (or a run died during it: docs/RUNBOOK.md)`,
    );
  }
  const dataAge = ageHours(i.record?.snapshotTime, i.now);
  if (!i.record) {
    warnings.push(
      i.recoveryPointRaw?.trim() === "{}"
        ? "no verified recovery point serves on the standby: the last sync was rolled back with nothing to fall back on. Run npm run sync:nightly -- --force"
        : "no recovery point yet: a failover has nothing to serve. Run npm run sync:nightly",
    );
  } else {
    // As the nightly job judges it: current as of the snapshot, or of a later check that found nothing new.
    const unchangedAt = i.results.nightly?.verifiedUnchangedAt;
    const currentAsOf = unchangedAt && unchangedAt > i.record.snapshotTime ? unchangedAt : i.record.snapshotTime;
    const currentAge = ageHours(currentAsOf, i.now);
    if (currentAge === undefined || currentAge > i.maxDataAgeHours) {
      warnings.push(
        `the standby's data is ${formatHours(currentAge)} old (last known current ${currentAsOf}), more than ` +
          `maxDataAgeHours ${i.maxDataAgeHours}h: check the nightly job (its schedule, .pra/status.json, the alert)`,
      );
    }
  }
  let certificate: StatusReport["certificate"];
  if (i.record?.certificate) {
    const { names, notAfter } = i.record.certificate;
    const daysLeft = (Date.parse(notAfter) - i.now.getTime()) / 86_400_000;
    certificate = { names, notAfter, daysLeft: Math.floor(daysLeft) };
    if (Number.isNaN(daysLeft) || daysLeft < CERTIFICATE_WARNING_DAYS) {
      warnings.push(
        `${daysLeft < 0 ? "the synced certificate EXPIRED" : "the synced certificate expires"} ${notAfter} ` +
          `(${names.join(", ")}): renew it on the primary, the next nightly sync carries it over; during a long ` +
          "failover renew it on the standby (docs/RUNBOOK.md, HTTPS)",
      );
    }
  }
  const failed = (what: string, r: LastResult | undefined, fix: string) => {
    if (r && !r.ok)
      warnings.push(`the last ${what} (${r.at ?? "time unknown"}) ended: ${r.result}. ${fix} (${r.file})`);
  };
  failed("nightly sync", i.results.nightly, "Its summary says why");
  failed("drill", i.results.drill, "A failover may fail the same way: read the report");
  failed("failback", i.results.failback, "The standby keeps serving until it succeeds");
  return {
    stack: i.stack,
    mode: i.mode ?? "unknown",
    state: { url: i.state.url, kind: i.state.kind },
    dataAgeHours: round(dataAge, 2),
    maxDataAgeHours: i.maxDataAgeHours,
    newestRecoveryPoint: i.record ? { run: i.record.run, snapshotTime: i.record.snapshotTime } : undefined,
    recoveryPoints: i.record?.recoveryPoints ?? (i.record ? [i.record.run] : []),
    certificate,
    monthlyCostEur: i.monthlyCostEur,
    lastNightly: i.results.nightly,
    lastDrill: i.results.drill,
    lastFailback: i.results.failback,
    warnings,
    exitCode: warnings.length > 0 ? CheckExitCode.Attention : CheckExitCode.Ok,
  };
}

function describeResult(r: LastResult | undefined): string {
  if (!r) return "none recorded on this machine (.pra/)";
  return `${r.ok ? "ok" : r.result} at ${r.at ?? "unknown time"}`;
}

/** The human text: one fact a line, then the warnings, then one verdict line. */
export function renderStatus(r: StatusReport): string {
  const row = (label: string, value: string) => `  ${label.padEnd(16)} ${value}`;
  const lines = [
    `pra status: stack ${r.stack}`,
    row("mode", r.mode),
    row("state", `${r.state.url} (${r.state.kind})`),
    row(
      "data age (RPO)",
      r.newestRecoveryPoint
        ? `${formatHours(r.dataAgeHours)} (database snapshot ${r.newestRecoveryPoint.snapshotTime}; bound ${r.maxDataAgeHours}h)`
        : "no recovery point",
    ),
    row("newest point", r.newestRecoveryPoint?.run ?? "none"),
    row(
      "recovery points",
      r.recoveryPoints.length > 0 ? `${r.recoveryPoints.join(" ")} (restorePoint names, newest first)` : "none",
    ),
    row(
      "certificate",
      r.certificate
        ? `${r.certificate.names.join(", ")}, expires ${r.certificate.notAfter} (${r.certificate.daysLeft} days)`
        : "none synced (a site without TLS, or a record from before HTTPS support)",
    ),
    row("monthly cost", r.monthlyCostEur === undefined ? "unknown" : `€${r.monthlyCostEur.toFixed(2)} (estimate)`),
    row("last nightly", describeResult(r.lastNightly)),
    row("last drill", describeResult(r.lastDrill)),
    row("last failback", describeResult(r.lastFailback)),
  ];
  if (r.warnings.length > 0) lines.push("warnings:", ...r.warnings.map((w) => `  - ${w}`));
  lines.push(
    r.exitCode === CheckExitCode.Ok
      ? "pra status: ok"
      : `pra status: ATTENTION exit=${r.exitCode} (${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"})`,
  );
  return `${lines.join("\n")}\n`;
}
