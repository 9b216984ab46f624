import { ConfigError, parseSyncConfig, type RawConfig } from "../config";
import type { FingerprintOptions } from "../sync/runner/fingerprint";
import { asUsage } from "./settings";

/**
 * The fingerprint's view of the primary, built from the same keys and in the same way as index.ts
 * builds the DataSync's source, so the check reads exactly what a sync would copy.
 */
export function fingerprintOptions(get: RawConfig): FingerprintOptions {
  try {
    const sync = parseSyncConfig(get);
    const base = { webRoot: sync.webRoot, dbSocket: sync.primaryDbSocket };
    if (!sync.primary) return { ...base, source: { kind: "local" } };
    const primaryPrivateKey = get("primarySshPrivateKey");
    if (!primaryPrivateKey) {
      throw new ConfigError(
        "primarySshPrivateKey",
        "is not set but source is ssh",
        "pulumi config set --secret primarySshPrivateKey < ~/.ssh/pra_primary",
      );
    }
    return { ...base, source: { kind: "ssh", ...sync.primary, hostKeyAlias: "pra-primary" }, primaryPrivateKey };
  } catch (e) {
    throw asUsage(e);
  }
}
