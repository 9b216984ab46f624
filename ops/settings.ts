import type { ConfigMap } from "@pulumi/pulumi/automation";
import { ConfigError, optionalString, parseBoolean, parseInteger, type RawConfig } from "../config";
import { ExitCode, OpsError } from "./exitCodes";

/** The `pra:` keys the operations read, validated with the program's own parsers. */
export interface OpsSettings {
  praActive: boolean;
  syncRun: string;
  drillRun: string;
  /** Shell command run on an alert, with the message on stdin. */
  alertCommand?: string;
  /** URL that gets an HTTP POST of the alert as JSON (may hold a token: set it with --secret). */
  alertUrl?: string;
  /** Alert when the standby's data is older than this. */
  maxDataAgeHours: number;
}

/** The config as `pulumi config --json` gives it, read like the program reads `pra:` keys. */
export function rawConfig(all: ConfigMap, project = "pra"): RawConfig {
  return (key) => all[`${project}:${key}`]?.value;
}

/** Same checks as the program, so a bad value stops the job with the program's own message. */
export function parseOpsSettings(get: RawConfig): OpsSettings {
  try {
    return {
      praActive: parseBoolean(get, "praActive", false),
      syncRun: optionalString(get, "syncRun") ?? "",
      drillRun: optionalString(get, "drillRun") ?? "",
      alertCommand: optionalString(get, "alertCommand"),
      alertUrl: optionalString(get, "alertUrl"),
      maxDataAgeHours: parseInteger(get, "maxDataAgeHours", 26, 1, 8760),
    };
  } catch (e) {
    throw asUsage(e);
  }
}

export function asUsage(e: unknown): unknown {
  return e instanceof ConfigError ? new OpsError(ExitCode.Usage, e.message) : e;
}
