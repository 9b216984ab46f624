import { isIP } from "node:net";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { addressBits, networkOf, parseCidr } from "../cidr";
import { ConfigError, parseStringList, projectDefaults } from "../config";
import { type FailoverArgs, failoverUsage, parseFailoverArgs } from "./args";
import { checkCloudAccess } from "./cloudCheck";
import type { OpsDeps } from "./deps";
import { ExitCode, OpsError } from "./exitCodes";
import { type Failure, runJob } from "./job";
import type { JobSpec } from "./jobStart";
import { parseRecoveryRecord } from "./recoveryRecord";
import type { Session } from "./session";
import { stateLocation } from "./stateLocation";
import { errorText, lockAdvice, lockRefusal } from "./workspace";

const failover: JobSpec<FailoverArgs> = {
  job: "failover",
  prefix: "pra failover",
  parse: parseFailoverArgs,
  usage: failoverUsage,
  what: (a) => `failover of stack ${a.stack}`,
};

/** What the run ended with: a failure, or the outputs of the up that failed over. */
type FailoverResult = { failure: Failure } | { outputs: OutputMap; host: string; dnsHook: boolean };

/** `203.0.113.7` → `203.0.113.7/32`, the form the security group rule takes. */
export function singleAddressCidr(ip: string): string {
  return `${ip}/${addressBits[isIP(ip) === 6 ? 6 : 4]}`;
}

/** Whether one of the admin networks already lets this address in. */
export function coveredBy(adminCidrs: string[], ip: string): boolean {
  const address = parseCidr(singleAddressCidr(ip));
  if (!address) return false;
  return adminCidrs.some((c) => {
    const admin = parseCidr(c);
    return (
      admin !== undefined &&
      admin.family === address.family &&
      networkOf({ ...address, prefix: admin.prefix }).address === networkOf(admin).address
    );
  });
}

/** This machine's public address as the standby sees it (what the temporary rule must allow). */
async function runnerAddress(args: FailoverArgs, deps: OpsDeps): Promise<string | undefined> {
  if (args.runnerIp === "none") return undefined;
  if (args.runnerIp !== "auto") return args.runnerIp;
  const fix =
    "pass --runner-ip <this machine's public address> (or --runner-ip none when it is in adminCidrs); nothing was changed";
  let text: string;
  try {
    const r = await deps.fetch(args.ipEchoUrl, { signal: AbortSignal.timeout(15_000) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    text = (await r.text()).trim();
  } catch (e) {
    throw new OpsError(
      ExitCode.Usage,
      `cannot learn this machine's public address from ${args.ipEchoUrl} (${errorText(e, 2)}): ${fix}`,
    );
  }
  if (isIP(text) === 0) {
    throw new OpsError(
      ExitCode.Usage,
      `${args.ipEchoUrl} answered ${JSON.stringify(text.slice(0, 60))}, not an address: ${fix}`,
    );
  }
  return text;
}

/**
 * The second update: pra:runnerCidr removed, so the temporary rule goes; the standby keeps serving.
 * Retried like a teardown, and signals cannot stop it: an SSH rule left open is what this prevents.
 */
async function closeRunnerRule(s: Session, cidr: string): Promise<string | undefined> {
  const attempts = Math.max(1, s.deps.teardownAttempts);
  s.interruption.enterTeardown();
  try {
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await s.stack.removeConfig("runnerCidr");
        s.log(`pra:runnerCidr removed: pulumi up closes the temporary SSH rule for ${cidr}`);
        await s.stack.up({ onOutput: s.engine.onOutput, onError: s.engine.onError });
        s.log(`the temporary SSH rule for ${cidr} is gone`);
        return undefined;
      } catch (e) {
        const lockedBy = lockRefusal(e);
        lastError = lockedBy
          ? `refused: stack ${s.stackName} is locked by another pulumi update (${lockedBy})`
          : errorText(e);
        s.log(`closing the temporary SSH rule, attempt ${attempt}/${attempts} failed: ${lastError}`);
        if (attempt < attempts) await s.deps.sleep(s.deps.retryDelayMs);
      }
    }
    return lastError;
  } finally {
    s.interruption.leaveTeardown();
  }
}

async function failOver(s: Session, args: FailoverArgs): Promise<FailoverResult> {
  const state = stateLocation(s.deps.env ?? process.env, {
    source: s.get("source") ?? projectDefaults().string("source"),
  });
  if (state.warning) s.log(state.warning);
  let adminCidrs: string[];
  try {
    adminCidrs = parseStringList(s.get, projectDefaults(), "adminCidrs");
  } catch (e) {
    throw e instanceof ConfigError ? new OpsError(ExitCode.Usage, e.message) : e;
  }
  const ip = await runnerAddress(args, s.deps);
  const runner = ip && !coveredBy(adminCidrs, ip) ? singleAddressCidr(ip) : undefined;
  if (ip) {
    s.log(
      runner
        ? `this machine (${ip}) is not in adminCidrs: it gets SSH to the standby for this run only (pra:runnerCidr)`
        : `this machine (${ip}) is in adminCidrs`,
    );
  }
  // Nothing changes before the cloud accepts the credentials and the state and passphrase open.
  await checkCloudAccess(s);
  if (s.interruption.signal) {
    throw new OpsError(ExitCode.Interrupted, `stopped by ${s.interruption.signal} before anything changed`);
  }
  const leftover = s.get("runnerCidr");
  if (leftover && leftover !== runner) {
    // A failover killed before it closed its rule: this up closes it (or replaces it with this runner's).
    s.log(`pra:runnerCidr=${leftover} was left by a failover that did not finish: its SSH rule closes with this run`);
    if (!runner) await s.stack.removeConfig("runnerCidr");
  }
  // A nightly sync or drill that died on another machine left its key: the program refuses it with praActive.
  const removed: Array<["syncRun" | "drillRun", string]> = [];
  for (const key of ["syncRun", "drillRun"] as const) {
    if (s.settings[key]) {
      s.log(`removing pra:${key}=${s.settings[key]}, left by a run that did not finish`);
      await s.stack.removeConfig(key);
      removed.push([key, s.settings[key]]);
    }
  }
  const praActiveBefore = s.get("praActive") ?? "false";
  let outputs: OutputMap | undefined;
  let upError: unknown;
  let lockedBy: string | undefined;
  let closeError: string | undefined;
  try {
    if (runner) await s.stack.setConfig("runnerCidr", { value: runner });
    await s.stack.setConfig("praActive", { value: "true" });
    s.log("pra:praActive=true: pulumi up boots the standby on the newest recovery point and opens the web");
    outputs = (
      await s.stack.up({ onOutput: s.engine.onOutput, onError: s.engine.onError, signal: s.interruption.abortSignal })
    ).outputs;
  } catch (e) {
    upError = e;
    lockedBy = lockRefusal(e);
    s.log(`the failover up failed: ${errorText(e)}`);
  } finally {
    // Refused by the lock, the up changed nothing: no rule to close, and a second up would be refused too.
    if (runner && lockedBy === undefined) closeError = await closeRunnerRule(s, runner);
  }
  if (lockedBy !== undefined) {
    if (runner) await s.stack.removeConfig("runnerCidr");
    await s.stack.setConfig("praActive", { value: praActiveBefore });
    for (const [key, value] of removed) await s.stack.setConfig(key, { value });
    throw new OpsError(
      ExitCode.Locked,
      `the failover up was refused, nothing was booted or changed (the config is as it was): ` +
        lockAdvice(s.stackName, lockedBy),
    );
  }
  const leftOpen = closeError
    ? ` The temporary SSH rule for ${runner} is still open (${closeError}): ` +
      `pulumi config rm runnerCidr --stack ${s.stackName} && pulumi up --stack ${s.stackName}`
    : "";
  if (s.interruption.signal) {
    throw new OpsError(
      ExitCode.Interrupted,
      `stopped by ${s.interruption.signal}; praActive stays true: run npm run failover again to finish.${leftOpen}`,
    );
  }
  if (upError !== undefined) {
    throw new OpsError(
      ExitCode.Failed,
      `the failover did not complete: ${errorText(upError, 6)}. praActive stays true; fix the cause and run ` +
        `npm run failover again (safe to repeat), see docs/RUNBOOK.md "Failover from anywhere".${leftOpen}`,
    );
  }
  if (closeError) {
    throw new OpsError(ExitCode.Failed, `the standby serves the blog, but:${leftOpen}`);
  }
  return { outputs: outputs ?? {}, host: s.get("siteHostname") ?? "", dnsHook: Boolean(s.get("dnsHookCommand")) };
}

/** What the operator does next: where DNS must point, and what serves. */
function report(r: { outputs: OutputMap; host: string; dnsHook: boolean }, log: (line: string) => void): void {
  const ip = String(r.outputs.floatingIp?.value ?? "?");
  const record = parseRecoveryRecord(r.outputs.recoveryPoint?.value);
  log(
    `ok: the standby serves ${r.host} at ${ip}` +
      (record ? ` from recovery point ${record.run} (data as of ${record.snapshotTime})` : ""),
  );
  log(
    r.dnsHook
      ? `DNS: your dnsHookCommand pointed ${r.host} at ${ip}; check with: dig +short ${r.host}`
      : `DNS: point the A record of ${r.host} at ${ip} now (low TTL); until then visitors still go to the dead primary`,
  );
  log("when the primary is back: npm run failback (docs/RUNBOOK.md, Failback)");
}

/** `npm run failover`: praActive=true and up, from any machine. Returns the exit code; never throws. */
export function runFailover(argv: string[], deps: OpsDeps): Promise<number> {
  return runJob(failover, argv, deps, (run) => ({
    body: (s) => failOver(s, run.args),
    failed: (failure) => ({ failure }),
    async finish(result) {
      if ("failure" in result) {
        // Not notOk(): its words for exit 1 say "instance torn down", which a failover never does.
        run.log(`FAILED exit=${result.failure.code}: ${result.failure.detail}`);
        return result.failure.code;
      }
      report(result, run.log);
      return ExitCode.Ok;
    },
  }));
}
