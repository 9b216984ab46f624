import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { ExitCode, OpsError } from "./exitCodes";
import { rawConfig } from "./settings";
import { errorText } from "./workspace";

/**
 * The mode the stack's STATE was last driven in, from the newest entry of its update history (which
 * records the config each update ran with). The config file may say otherwise: on CI it is a fresh
 * checkout, so a failover made from a laptop, or a sync that died on another machine, is invisible in
 * it. The shared backend is the one place all machines agree on.
 */
export interface LastUpdate {
  praActive: boolean;
  syncRun: string;
  drillRun: string;
  result: string;
  startTime: string;
}

export async function lastUpdate(stack: Stack): Promise<LastUpdate | undefined> {
  let history: UpdateSummary[];
  try {
    // without --show-secrets: only the mode keys are needed, nothing is decrypted
    history = await stack.history(1, 1, false);
  } catch (e) {
    throw new OpsError(ExitCode.Failed, `cannot read the history of stack ${stack.name}: ${errorText(e)}`);
  }
  const last = history[0];
  if (!last) return undefined;
  const get = rawConfig(last.config ?? {});
  return {
    praActive: get("praActive") === "true",
    syncRun: get("syncRun") ?? "",
    drillRun: get("drillRun") ?? "",
    result: String(last.result),
    startTime: last.startTime instanceof Date ? last.startTime.toISOString() : String(last.startTime),
  };
}

/** A describe-it-once line for messages. */
export function describeUpdate(u: LastUpdate): string {
  return `the last update (started ${u.startTime}, ${u.result})`;
}
