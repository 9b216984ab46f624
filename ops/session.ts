import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import type { RawConfig } from "../config";
import type { OpsDeps } from "./deps";
import { ExitCode, OpsError } from "./exitCodes";
import { describeUpdate, type LastUpdate, lastUpdate } from "./lastUpdate";
import { type OpsSettings, parseOpsSettings, rawConfig } from "./settings";
import type { Interruption } from "./signals";
import { errorText, openStack } from "./workspace";

/** One run of a job against one stack: what every step needs. */
export interface Session {
  job: "nightly" | "drill" | "failback" | "failover";
  stackName: string;
  workDir: string;
  stack: Stack;
  config: ConfigMap;
  get: RawConfig;
  settings: OpsSettings;
  /** How the state was last updated, whatever this checkout's config file says. */
  lastUpdate?: LastUpdate;
  log(line: string): void;
  /** Streams the engine's output of an up/preview to ours. */
  engine: { onOutput(text: string): void; onError(text: string): void };
  interruption: Interruption;
  deps: OpsDeps;
}

export async function openSession(
  base: Pick<Session, "job" | "stackName" | "workDir" | "log" | "interruption" | "deps">,
): Promise<Session> {
  const stack = await openStack({
    stackName: base.stackName,
    workDir: base.workDir,
    pulumiRoot: base.deps.pulumiRoot,
    log: base.log,
  });
  let config: ConfigMap;
  try {
    // --show-secrets: the primary's SSH key is needed decrypted for the fingerprint; it goes nowhere else.
    config = await stack.getAllConfig();
  } catch (e) {
    throw new OpsError(ExitCode.Usage, `cannot read the config of stack ${base.stackName}: ${errorText(e)}`);
  }
  const get = rawConfig(config);
  const settings = parseOpsSettings(get);
  const last = await lastUpdate(stack);
  if (last?.result === "in-progress") {
    throw new OpsError(
      ExitCode.Locked,
      `stack ${base.stackName} has an update in progress since ${last.startTime} (another machine?). ` +
        "If nothing runs any more, that run died: see docs/RUNBOOK.md, Nightly sync",
    );
  }
  return {
    ...base,
    stack,
    config,
    get,
    settings,
    lastUpdate: last,
    engine: { onOutput: (t) => base.deps.out(t), onError: (t) => base.deps.err(t) },
  };
}

/**
 * Nothing may touch the standby while it serves the blog: a copy would overwrite what was written on it
 * since the failover, a drill would boot, check and delete the instance that is serving.
 */
export function refuseWhileActive(s: Session, what: string, consequence: string): void {
  const why = s.settings.praActive
    ? `pra:praActive is true on stack ${s.stackName}, the standby is serving the blog`
    : s.lastUpdate?.praActive
      ? `${describeUpdate(s.lastUpdate)} of stack ${s.stackName} ran with praActive=true, although ` +
        `Pulumi.${s.stackName}.yaml here says false: someone failed over from another machine`
      : undefined;
  if (!why) return;
  throw new OpsError(
    ExitCode.RefusedActive,
    `refusing ${what}: ${why}. ${consequence} Fail back first (docs/RUNBOOK.md); nothing was changed.`,
  );
}
