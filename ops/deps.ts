import type { Fingerprint, FingerprintOptions } from "../sync/runner/fingerprint";
import type { SignalSource } from "./signals";

/** Everything the jobs take from the outside world, so tests can replace it (and time it) without a cloud. */
export interface OpsDeps {
  now(): Date;
  /** Standard output: progress lines and the Pulumi engine's output, streamed. */
  out(text: string): void;
  /** Standard error: the engine's stderr. */
  err(text: string): void;
  signals: SignalSource;
  /** Digest of the primary, as sync/runner/fingerprint.ts computes it. */
  fingerprint(opts: FingerprintOptions): Promise<Fingerprint>;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  /** Directory holding bin/pulumi; default: PATH, then ~/.pulumi. */
  pulumiRoot?: string;
  /** Tries of a teardown `up` before giving up (a 429 or a flaky API must not leave the instance). */
  teardownAttempts: number;
  retryDelayMs: number;
  alertTimeoutMs: number;
  /** The environment the state's location is judged from (PULUMI_BACKEND_URL, HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function defaultDeps(): OpsDeps {
  return {
    now: () => new Date(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    signals: process,
    // Loaded on use: it pulls in mysql2 and the SSH plumbing, which a refused or locked run never needs.
    fingerprint: async (opts) => (await import("../sync/runner/fingerprint")).primaryFingerprint(opts),
    fetch: globalThis.fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    pulumiRoot: process.env.PRA_PULUMI_ROOT || undefined,
    teardownAttempts: 3,
    retryDelayMs: 30_000,
    alertTimeoutMs: 30_000,
  };
}
