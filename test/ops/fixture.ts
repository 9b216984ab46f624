import { EventEmitter } from "node:events";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { OpsDeps } from "../../ops/deps";
import type { RecoveryRecord } from "../../ops/recoveryRecord";
import type { Fingerprint, FingerprintOptions } from "../../sync/runner/fingerprint";

/** The project root, whose Pulumi.yaml the fixtures copy. */
export const projectRoot = resolve(__dirname, "../..");
const fakeShell = join(__dirname, "fakePulumi.sh");
const fakeNode = join(__dirname, "fakePulumi.cjs");

export interface FakeBehaviour {
  failSyncUp?: boolean;
  failDrillUp?: boolean;
  /** Fail every preview (before any plan is saved). */
  failPreview?: boolean;
  /** OpenStack rejects the credentials: every preview and every up fails (as the provider's first call does). */
  rejectCredentials?: boolean;
  /** Hang the up while this key is set, until SIGINT/SIGTERM (or hangSeconds). */
  hangUp?: "syncRun" | "drillRun";
  hangSeconds?: number;
  /** Fail this many teardown ups (ups that want no instance). */
  failTeardowns?: number;
  /**
   * The sync's new generation fails after its flip: the up keeps this as the recoveryPoint output (what
   * really serves after the rollback: an older record, or {} for nothing verified), then fails.
   */
  rolledBackTo?: string;
  /** The record a successful sync up publishes as the recoveryPoint output (run filled in). */
  recordAfterSync?: Omit<RecoveryRecord, "run">;
  /** Fail this many ups with praActive=true (after the boot: the instance exists). */
  failActiveUps?: number;
  /** Fail this many ups with praActive=true and no runnerCidr (the failover's closing update). */
  failRunnerCloses?: number;
  /**
   * That many ups go through, then another update holds the stack's lock for good: every further up is
   * refused with the real CLI's lock error (exit 1, before anything changes), naming lockHolder.
   */
  upsBeforeLock?: number;
  /** Who holds the lock, as the engine names it: `user@host (pid N) at <time>`. */
  lockHolder?: string;
}

export interface FakeState {
  stacks: string[];
  outputs: Record<string, unknown>;
  secretOutputs?: string[];
  instance: boolean;
  ups?: number;
  /** `stack history --json` entries, newest first (the fake records one per up). */
  history?: HistoryEntry[];
  behaviour: FakeBehaviour;
}

export interface HistoryEntry {
  version: number;
  kind: "update";
  startTime: string;
  endTime?: string;
  message: string;
  environment: Record<string, string>;
  config: Record<string, { value: string; secret: boolean }>;
  /**
   * "in-progress" is what Pulumi Cloud shows while an update runs; a file or S3 backend writes the
   * entry only when the update ends (test/engine/opsJobs.test.ts), so there it never appears.
   */
  result: "succeeded" | "failed" | "in-progress";
}

/** A history entry as pulumi records an update that ran with these mode keys. */
export function historyEntry(
  mode: { praActive?: boolean; syncRun?: string; drillRun?: string },
  result: HistoryEntry["result"] = "succeeded",
): HistoryEntry {
  const v = (value: string) => ({ value, secret: false });
  return {
    version: 1,
    kind: "update",
    startTime: new Date(Date.now() - 3_600_000).toISOString(),
    message: "",
    environment: {},
    config: {
      "pra:praActive": v(String(mode.praActive ?? false)),
      "pra:syncRun": v(mode.syncRun ?? ""),
      "pra:drillRun": v(mode.drillRun ?? ""),
    },
    result,
  };
}

export interface LogEntry {
  argv?: string[];
  cwd?: string;
  configFile?: string;
  config?: { praActive: string; syncRun: string; drillRun: string; runnerCidr?: string };
  event?: string;
  signal?: string;
}

export interface Fixture {
  /** PulumiCommand root: holds bin/pulumi (the fake). */
  root: string;
  workDir: string;
  stackFile: string;
  log(): LogEntry[];
  /** The up invocations with the config each saw. */
  ups(): NonNullable<LogEntry["config"]>[];
  commands(): string[][];
  state(): FakeState;
  patchState(patch: Partial<FakeState>): void;
  dispose(): void;
}

export const baseConfig: Record<string, unknown> = {
  "pra:siteHostname": "blog.example.org",
  "pra:networkName": "private",
  "pra:floatingIpPool": "public",
  "pra:flavorName": "s1-2",
  "pra:adminCidrs": ["198.51.100.7/32"],
  "pra:imageName": "wordpress-standby",
  "pra:praActive": false,
};

export function makeFixture(opts: {
  config?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  behaviour?: FakeBehaviour;
  stacks?: string[];
  history?: HistoryEntry[];
}): Fixture {
  const base = mkdtempSync(join(tmpdir(), "pra-ops-test-"));
  const root = join(base, "pulumi");
  const workDir = join(base, "project");
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(workDir);
  // The shell part execs node for the rest: signals sent to the CLI's pid reach the fake itself.
  writeFileSync(
    join(root, "bin", "pulumi"),
    [
      "#!/bin/bash",
      `export FAKE_PULUMI_DIR='${root}' FAKE_PULUMI_NODE='${process.execPath}' FAKE_PULUMI_CJS='${fakeNode}'`,
      `. '${fakeShell}'`,
      "",
    ].join("\n"),
  );
  chmodSync(join(root, "bin", "pulumi"), 0o755);
  copyFileSync(join(projectRoot, "Pulumi.yaml"), join(workDir, "Pulumi.yaml"));
  const stackFile = join(workDir, "Pulumi.dev.yaml");
  writeFileSync(
    stackFile,
    `# the real stack file: a drill must leave these bytes alone\nsecretsprovider: passphrase\nencryptionsalt: v1:ZmFrZQ==:v1:fake\n${stringify({ config: opts.config ?? baseConfig })}`,
  );
  const state: FakeState = {
    stacks: opts.stacks ?? ["dev"],
    outputs: { mode: "standby", floatingIp: "203.0.113.10", recoveryPoint: "", ...opts.outputs },
    secretOutputs: ["knownHosts"],
    instance: false,
    history: opts.history ?? [],
    behaviour: opts.behaviour ?? {},
  };
  const stateFile = join(root, "state.json");
  writeFakeState(root, state);
  writeFileSync(join(root, "log.jsonl"), "");
  const log = (): LogEntry[] =>
    readFileSync(join(root, "log.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogEntry);
  const readState = () => JSON.parse(readFileSync(stateFile, "utf8")) as FakeState;
  return {
    root,
    workDir,
    stackFile,
    log,
    ups: () =>
      log()
        .filter((e) => e.argv?.[0] === "up")
        .map((e) => e.config as NonNullable<LogEntry["config"]>),
    commands: () => log().flatMap((e) => (e.argv ? [e.argv] : [])),
    state: readState,
    patchState(patch) {
      writeFakeState(root, { ...readState(), ...patch });
    },
    dispose: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** The state and the files fakePulumi.sh answers from (same as writeState in fakePulumi.cjs). */
function writeFakeState(root: string, state: FakeState): void {
  writeFileSync(join(root, "state.json"), JSON.stringify(state, null, 2));
  writeFileSync(join(root, "stacks"), `${state.stacks.join("\n")}\n`);
  const masked = { ...state.outputs };
  for (const k of state.secretOutputs ?? []) if (k in masked) masked[k] = "[secret]";
  writeFileSync(join(root, "outputs.plain.json"), JSON.stringify(state.outputs, null, 2));
  writeFileSync(join(root, "outputs.masked.json"), JSON.stringify(masked, null, 2));
  writeFileSync(join(root, "history.json"), JSON.stringify((state.history ?? []).slice(0, 1)));
}

export const tables: Fingerprint["tables"] = {
  wp_posts: { rows: 12, crc32: "0A1B2C3D", md5: "9e107d9d372bb6826bd81d3542a419d6" },
  wp_comments: { rows: 3, crc32: "11223344", md5: "e4d909c290d0fb1ca068ffaddf22cbd0" },
};

export function record(run: string, snapshotTime: string, fileDigest = "digest-1"): RecoveryRecord {
  return {
    run,
    snapshotTime,
    syncedAt: snapshotTime,
    fileDigest,
    fileEntries: 1500,
    bytesSent: 123456,
    tables,
  };
}

export const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

export interface TestDeps extends OpsDeps {
  output(): string;
  signalBus: EventEmitter;
  fingerprintCalls: FingerprintOptions[];
}

/** Deps for an in-process run: the fake CLI, a fingerprint stub, captured output, no real waits. */
export function testDeps(
  fx: Fixture,
  fingerprint: (opts: FingerprintOptions) => Promise<Fingerprint>,
  extra: Partial<OpsDeps> = {},
): TestDeps {
  let text = "";
  const signalBus = new EventEmitter();
  const fingerprintCalls: FingerprintOptions[] = [];
  return {
    now: () => new Date(),
    out: (t) => {
      text += t;
    },
    err: (t) => {
      text += t;
    },
    signals: signalBus,
    signalBus,
    fingerprint: (opts) => {
      fingerprintCalls.push(opts);
      return fingerprint(opts);
    },
    fingerprintCalls,
    fetch: () => Promise.reject(new Error("no fetch in this test")),
    sleep: async () => {},
    pulumiRoot: fx.root,
    teardownAttempts: 2,
    retryDelayMs: 0,
    alertTimeoutMs: 5000,
    // State in a bucket unless a test says otherwise: the machine's own login must not change the output.
    env: { HOME: fx.root, PULUMI_BACKEND_URL: "s3://pra-test-state?endpoint=127.0.0.1:1" },
    output: () => text,
    ...extra,
  };
}
