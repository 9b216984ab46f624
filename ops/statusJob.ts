import type { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { ConfigError, parseInteger, projectDefaults } from "../config";
import { type CheckArgs, parseCheckArgs, statusUsage } from "./checkArgs";
import type { OpsDeps } from "./deps";
import { CheckExitCode, ExitCode, OpsError } from "./exitCodes";
import { lastResults } from "./lastResults";
import { type LastUpdate, lastUpdate } from "./lastUpdate";
import { parseRecoveryRecord } from "./recoveryRecord";
import { readStackFile, type StackFile } from "./stackFile";
import { stateLocation } from "./stateLocation";
import { buildStatus, renderStatus, type StatusReport } from "./statusReport";
import { errorText, openStack } from "./workspace";

export const STATUS_PREFIX = "pra status";

export type StatusDeps = Pick<OpsDeps, "now" | "out" | "pulumiRoot"> & { env: NodeJS.ProcessEnv };

/**
 * `npm run status`: reads the stack's outputs and history and this machine's .pra/ files; boots,
 * locks and changes nothing, so it may run at any time, also while a sync runs. Returns the exit code.
 */
export async function runStatus(argv: string[], deps: StatusDeps): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv, statusUsage);
  } catch (e) {
    deps.out(`${STATUS_PREFIX}: ${(e as Error).message}\n`);
    return CheckExitCode.NotConfigured;
  }
  if (args.help) {
    deps.out(`${statusUsage}\n`);
    return CheckExitCode.Ok;
  }
  let report: StatusReport;
  try {
    report = await gather(args, deps);
  } catch (e) {
    const message = e instanceof OpsError || e instanceof ConfigError ? e.message : errorText(e, 6);
    if (args.json) {
      deps.out(`${JSON.stringify({ stack: args.stack, configured: false, error: message, exitCode: 2 }, null, 2)}\n`);
    } else {
      deps.out(`${STATUS_PREFIX}: not configured: ${message}\n`);
      deps.out(`${STATUS_PREFIX}: npm run doctor lists everything that is missing\n`);
    }
    return CheckExitCode.NotConfigured;
  }
  deps.out(args.json ? `${JSON.stringify({ configured: true, ...report }, null, 2)}\n` : renderStatus(report));
  return report.exitCode;
}

async function gather(args: CheckArgs, deps: StatusDeps): Promise<StatusReport> {
  const file = readStackFile(args.workDir, args.stack);
  const notes: string[] = [];
  const stack = await openStack({
    stackName: args.stack,
    workDir: args.workDir,
    pulumiRoot: deps.pulumiRoot,
    log: (l) => notes.push(l),
  });
  const [outputs, last] = await Promise.all([readOutputs(stack), lastUpdate(stack)]);
  const report = buildStatus({
    stack: args.stack,
    now: deps.now(),
    mode: text(outputs.mode?.value),
    praActive: file?.get("praActive") === "true",
    lastUpdate: last as LastUpdate | undefined,
    recoveryPointRaw: text(outputs.recoveryPoint?.value),
    record: parseRecoveryRecord(outputs.recoveryPoint?.value),
    monthlyCostEur: monthlyEur(outputs.monthlyCost?.value),
    maxDataAgeHours: maxDataAge(file, notes),
    state: stateLocation(deps.env, { source: file?.get("source") ?? projectDefaults().string("source") }),
    results: lastResults(args.workDir, args.stack),
  });
  report.warnings.push(...notes);
  if (notes.length > 0 && report.exitCode === CheckExitCode.Ok) report.exitCode = CheckExitCode.Attention;
  return report;
}

/** The outputs, decrypted: they need the passphrase (the state's secrets provider), as every pulumi command does. */
async function readOutputs(stack: Stack): Promise<OutputMap> {
  try {
    return await stack.outputs();
  } catch (e) {
    throw new OpsError(
      ExitCode.Usage,
      `cannot read the outputs of stack ${stack.name}: ${errorText(e, 4)}. Is PULUMI_CONFIG_PASSPHRASE_FILE ` +
        "(or PULUMI_CONFIG_PASSPHRASE) set, and the state backend the one the stack lives in (PULUMI_BACKEND_URL)?",
    );
  }
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

function monthlyEur(v: unknown): number | undefined {
  const value = typeof v === "string" ? safeJson(v) : v;
  const eur = (value as { monthlyEur?: unknown } | undefined)?.monthlyEur;
  return typeof eur === "number" ? eur : undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** maxDataAgeHours as the program reads it; a bad value is a warning here, the default judges meanwhile. */
function maxDataAge(file: StackFile | undefined, notes: string[]): number {
  const defaults = projectDefaults();
  try {
    return parseInteger(file?.get ?? (() => undefined), defaults, "maxDataAgeHours", 1, 8760);
  } catch (e) {
    notes.push(e instanceof ConfigError ? e.message : String(e));
    return defaults.integer("maxDataAgeHours");
  }
}
