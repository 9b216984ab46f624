import { isIP } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, OpsError } from "./exitCodes";

export interface CommonArgs {
  stack: string;
  /** The Pulumi project directory (holds Pulumi.yaml and Pulumi.<stack>.yaml). */
  workDir: string;
  help: boolean;
}

export interface NightlyArgs extends CommonArgs {
  /** Sync even when the primary's fingerprint equals the newest recovery point. */
  force: boolean;
}

export interface DrillArgs extends CommonArgs {
  live: boolean;
  /** Where the preview drill saves the update plan (default .pra/failover-plan.json). */
  planFile?: string;
}

export const nightlyUsage = `Usage: npm run sync:nightly -- [--stack dev] [--work-dir DIR] [--force]
  Copies the primary to the standby's data volume when it changed: boots the instance (pra:syncRun),
  syncs, and always tears the instance down again.`;

export const drillUsage = `Usage: npm run drill -- [--stack dev] [--work-dir DIR] [--plan-file FILE] [--live]
  Without --live: previews a failover on a throw-away copy of the stack config and saves an update plan.
  With --live: boots the standby on the newest recovery point (pra:drillRun, web closed), reports, tears down.`;

const common = {
  stack: { type: "string", default: "dev" },
  "work-dir": { type: "string", default: "." },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parse<T extends Record<string, { type: "string" | "boolean" }>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new OpsError(ExitCode.Usage, `${(e as Error).message}\n${usage}`);
  }
}

export function checkStack(stack: string, usage: string): string {
  // Same shape Pulumi accepts for stack names; also keeps the name safe inside a file name.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(stack)) {
    throw new OpsError(ExitCode.Usage, `--stack ${JSON.stringify(stack)} is not a stack name\n${usage}`);
  }
  return stack;
}

export function parseNightlyArgs(argv: string[]): NightlyArgs {
  const v = parse(argv, { ...common, force: { type: "boolean", default: false } }, nightlyUsage);
  return {
    stack: checkStack(v.stack, nightlyUsage),
    workDir: resolve(v["work-dir"]),
    help: v.help,
    force: v.force,
  };
}

export function parseDrillArgs(argv: string[]): DrillArgs {
  const v = parse(
    argv,
    { ...common, live: { type: "boolean", default: false }, "plan-file": { type: "string" } },
    drillUsage,
  );
  const workDir = resolve(v["work-dir"]);
  if (v.live && v["plan-file"])
    throw new OpsError(ExitCode.Usage, `--plan-file is for the preview drill only\n${drillUsage}`);
  return {
    stack: checkStack(v.stack, drillUsage),
    workDir,
    help: v.help,
    live: v.live,
    planFile: v["plan-file"] ? resolve(v["plan-file"]) : undefined,
  };
}

export interface FailoverArgs extends CommonArgs {
  /**
   * This machine's public address as the standby will see it: an IP, `auto` (asked from
   * --ip-echo-url), or `none` (this machine is in adminCidrs, or reaches the standby otherwise).
   */
  runnerIp: string;
  ipEchoUrl: string;
}

export const failoverUsage = `Usage: npm run failover -- [--stack dev] [--work-dir DIR] [--runner-ip auto|IP|none]
                        [--ip-echo-url https://checkip.amazonaws.com]
  Fails over: sets pra:praActive to true and runs up (the standby boots on the newest recovery point,
  serves the blog, the DNS hook runs). Needs only this repository, the stack's passphrase, the cloud
  credentials and the state backend. When this machine's address is not in adminCidrs, it is allowed
  SSH for the length of the run (pra:runnerCidr) and removed by a second up at the end.`;

export function parseFailoverArgs(argv: string[]): FailoverArgs {
  const v = parse(
    argv,
    {
      ...common,
      "runner-ip": { type: "string", default: "auto" },
      "ip-echo-url": { type: "string", default: "https://checkip.amazonaws.com" },
    },
    failoverUsage,
  );
  const runnerIp = v["runner-ip"];
  if (runnerIp !== "auto" && runnerIp !== "none" && isIP(runnerIp) === 0) {
    throw new OpsError(
      ExitCode.Usage,
      `--runner-ip ${JSON.stringify(runnerIp)} is not auto, none or an IP address\n${failoverUsage}`,
    );
  }
  return {
    stack: checkStack(v.stack, failoverUsage),
    workDir: resolve(v["work-dir"]),
    help: v.help,
    runnerIp,
    ipEchoUrl: v["ip-echo-url"],
  };
}

export const failbackUsage = `Usage: npm run failback -- [--stack dev] [--work-dir DIR]
  Copies what the standby holds back onto the primary (verified, after a safety copy of the primary),
  then sets pra:praActive to false and runs up: the instance goes, DNS points back at the primary.`;

export function parseFailbackArgs(argv: string[]): CommonArgs {
  const v = parse(argv, common, failbackUsage);
  return { stack: checkStack(v.stack, failbackUsage), workDir: resolve(v["work-dir"]), help: v.help };
}
