import type { ConfigMap } from "@pulumi/pulumi/automation";
import {
  ConfigError,
  optionalString,
  parseBoolean,
  parseInteger,
  projectDefaults,
  type RawConfig,
  stringSetting,
} from "../config";
import type { ConfigDefaults } from "../configDefaults";
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
export function parseOpsSettings(get: RawConfig, defaults: ConfigDefaults = projectDefaults()): OpsSettings {
  try {
    return {
      praActive: parseBoolean(get, defaults, "praActive"),
      syncRun: stringSetting(get, defaults, "syncRun"),
      drillRun: stringSetting(get, defaults, "drillRun"),
      alertCommand: optionalString(get, defaults, "alertCommand"),
      alertUrl: optionalString(get, defaults, "alertUrl"),
      maxDataAgeHours: parseInteger(get, defaults, "maxDataAgeHours", 1, 8760),
    };
  } catch (e) {
    throw asUsage(e);
  }
}

export function asUsage(e: unknown): unknown {
  return e instanceof ConfigError ? new OpsError(ExitCode.Usage, e.message) : e;
}
