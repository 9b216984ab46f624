import type { ConfigMap } from "@pulumi/pulumi/automation";
import {
  ConfigError,
  optionalString,
  parseBoolean,
  parseInteger,
  parseSyncConfig,
  projectDefaults,
  type RawConfig,
  requirePrimaryKey,
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
  return asUsage(() => ({
    praActive: parseBoolean(get, defaults, "praActive"),
    syncRun: stringSetting(get, defaults, "syncRun"),
    drillRun: stringSetting(get, defaults, "drillRun"),
    alertCommand: optionalString(get, defaults, "alertCommand"),
    alertUrl: optionalString(get, defaults, "alertUrl"),
    maxDataAgeHours: parseInteger(get, defaults, "maxDataAgeHours", 1, 8760),
  }));
}

/** The sync keys, read as the program reads them, and the primary's key as decrypted by the Automation API. */
export interface SyncKeys {
  sync: ReturnType<typeof parseSyncConfig>;
  /** Set with source=ssh only; goes to the fingerprint or the failback's stdin, nowhere else. */
  primaryPrivateKey?: string;
}

/** What the change check and the failback read the primary with: the same keys as the program's sync. */
export function parseSyncKeys(get: RawConfig): SyncKeys {
  return asUsage(() => {
    const sync = parseSyncConfig(get);
    return sync.primary ? { sync, primaryPrivateKey: requirePrimaryKey(get) } : { sync };
  });
}

/** Runs a parse; a config error becomes a usage error (exit 2) with the program's own message. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw e instanceof ConfigError ? new OpsError(ExitCode.Usage, e.message) : e;
  }
}
