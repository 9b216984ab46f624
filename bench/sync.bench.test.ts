import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseSyncConfig } from "../config";
import { changesSince, parseRecoveryRecord, type RecoveryRecord } from "../ops/recoveryRecord";
import { primarySide } from "../sync/plan";
import { primaryFingerprint } from "../sync/runner/fingerprint";
import { runProgram } from "../test/harness";
import { type Lab, type LabHost, startLab } from "../test/lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "../test/labEngine";
import { CLASSIC, prepareClassic, runClassic } from "./classic";
import { type DatasetSummary, generateDataset, uploadKey, writeUploads } from "./dataset";
import { measured, withPeakRss } from "./measure";
import { EMPTY_SNAPSHOT, type PrimarySnapshot, physicalMinimum, snapshotPrimary } from "./physicalMinimum";
import { type BenchRun, labelOf, type ScenarioResult, saveRun } from "./report";

/**
 * PRA's nightly sync against the classic hand-written procedure, night by night on the same seeded
 * blog; results go to docs/benchmarks/<label>.json and docs/benchmarks.md (see bench/report.ts for the
 * method). Asserts only that every night ran and that the standby served the newest post after each
 * procedure: timings are reported, never asserted.
 */
const LABEL = labelOf(process.env.PRA_BENCH_LABEL);
const DOCS = join(__dirname, "../docs");
const STEP_PREFIX = "pra-sync-";

let lab: Lab;
let dataset: DatasetSummary;
let rssDir: string;
let lastRecord: RecoveryRecord | undefined;
const log: CommandLog[] = [];
const scenarios: ScenarioResult[] = [];

beforeAll(async () => {
  rssDir = mkdtempSync(join(tmpdir(), "pra-bench-"));
  lab = await startLab();
  dataset = await generateDataset(lab.primary);
  await prepareClassic(lab);
}, 900_000);

afterAll(async () => {
  await lab?.stop();
  if (rssDir) rmSync(rssDir, { recursive: true, force: true });
});

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: join(__dirname, ".."), encoding: "utf8" }).trim();
}

async function newestPost(): Promise<{ id: number; title: string }> {
  const row = await lab.primary.sql(
    "SELECT ID, post_title FROM wp_posts WHERE post_type = 'post' AND post_status = 'publish' ORDER BY post_date_gmt DESC, ID DESC LIMIT 1",
    "wordpress",
  );
  const [id, title] = row.trim().split("\t");
  return { id: Number(id), title };
}

/** The home page the standby serves at `address` (PRA's site on 127.0.0.1, the classic copy's on 127.0.0.3). */
async function serves(standby: LabHost, address: string, title: string): Promise<boolean> {
  const page = await standby.exec(
    `curl -fsS --max-time 30 --resolve ${lab.blogHost}:80:${address} http://${lab.blogHost}/`,
    { allowFail: true },
  );
  return page.code === 0 && page.stdout.includes(title);
}

/** The nightly job's change check against the last recovery point PRA made. */
async function changeCheck(): Promise<ScenarioResult["changeCheck"]> {
  if (!lastRecord) return undefined;
  const config = labSyncConfig(lab, "change-check");
  const started = process.hrtime.bigint();
  const fp = await primaryFingerprint({
    ...primarySide(parseSyncConfig((key) => config[key])),
    primaryPrivateKey: config.primarySshPrivateKey,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, changed: changesSince(lastRecord, fp) };
}

async function praSync(
  run: string,
): Promise<Omit<ScenarioResult["pra"], "servedNewest" | "bytesToStandby" | "seconds">> {
  const from = log.length;
  const rss = withPeakRss(labHooks(lab, log), rssDir);
  const result = await runProgram(labSyncConfig(lab, run), { hooks: rss.hooks, secretKeys: ["primarySshPrivateKey"] });
  lastRecord = parseRecoveryRecord(result.outputs.recoveryPoint);
  if (lastRecord?.run !== run) throw new Error(`PRA's sync ${run} left no recovery point of its own`);
  const entries = log.slice(from).filter((l) => l.name.startsWith(STEP_PREFIX));
  const stdout = (step: string) => entries.find((l) => l.name === `${STEP_PREFIX}${step}`)?.stdout ?? "";
  const peaks = rss.peaks();
  return {
    steps: Object.fromEntries(entries.map((l) => [l.name.slice(STEP_PREFIX.length), l.ms / 1000])),
    peakRssKiB: Object.fromEntries(Object.entries(peaks).map(([name, kib]) => [name.replace(STEP_PREFIX, ""), kib])),
    rsyncBytesSent: Number(/sent (\d+) bytes/.exec(stdout("files"))?.[1] ?? Number.NaN),
    dumpBytesCompressed: Number(/dump (\d+) bytes (?:sent|compressed)/.exec(stdout("database"))?.[1] ?? Number.NaN),
  };
}

interface Night {
  id: string;
  title: string;
  change: string;
  /** The primary before the change; read from the primary when not given. */
  before?: PrimarySnapshot;
  makeChange(): Promise<void>;
}

/** One night: the change, the change check, the classic procedure, then PRA's sync; each checked by curl. */
async function night(n: Night): Promise<void> {
  const before = n.before ?? (await snapshotPrimary(lab.primary));
  await n.makeChange();
  const minimum = physicalMinimum(before, await snapshotPrimary(lab.primary));
  const newest = await newestPost();
  const check = await changeCheck();
  const classic = await measured(lab.standby, () => runClassic(lab));
  const classicServed = await serves(lab.standby, CLASSIC.address, newest.title);
  const pra = await measured(lab.standby, () => praSync(`bench-${n.id}`));
  const praServed = await serves(lab.standby, "127.0.0.1", newest.title);
  scenarios.push({
    id: n.id,
    title: n.title,
    change: n.change,
    newestPost: newest.title,
    classic: {
      ...classic.value,
      bytesToStandby: classic.bytesToStandby,
      seconds: classic.seconds,
      servedNewest: classicServed,
    },
    pra: { ...pra.value, bytesToStandby: pra.bytesToStandby, seconds: pra.seconds, servedNewest: praServed },
    changeCheck: check,
    physicalMinimum: minimum,
  });
  expect({ night: n.id, classicServed, praServed }).toEqual({ night: n.id, classicServed: true, praServed: true });
}

it("first sync, an unchanged night, a comment-only night and a changed night, classic then PRA", async () => {
  await night({
    id: "first",
    title: "First sync",
    change: "The whole blog onto an empty standby (the physical minimum is every file and every row).",
    before: EMPTY_SNAPSHOT,
    makeChange: async () => {},
  });
  await night({
    id: "unchanged",
    title: "Unchanged night",
    change:
      "Nothing changed on the primary. When its change check (below) finds nothing changed, the nightly job stops there and boots nothing; the figures are those of a forced sync (`--force`).",
    makeChange: async () => {},
  });
  await night({
    id: "comment",
    title: "Comment-only night",
    change: "One new approved comment (through WordPress's PHP, which also refreshes the page cache).",
    makeChange: async () => {
      await lab.primary.addComment((await newestPost()).id, "Un commentaire de la nuit : tout est copié ?");
    },
  });
  await night({
    id: "changed",
    title: "Changed night",
    change: "One new post (through WordPress's PHP) and one new 5 MiB upload.",
    makeChange: async () => {
      await lab.primary.addPost("Bench night post", "<p>Publié dans la nuit, avec une grande photo.</p>");
      const path = "2026/11/bench-night-upload.jpg";
      await writeUploads(lab.primary, [{ path, size: 5 * 1024 * 1024, key: uploadKey(path) }]);
    },
  });
  expect(scenarios.map((s) => s.id)).toEqual(["first", "unchanged", "comment", "changed"]);
  const run: BenchRun = {
    label: LABEL,
    runAt: new Date().toISOString(),
    commit: git("rev-parse", "HEAD"),
    dirty: git("status", "--porcelain", "--", ".", ":!docs/benchmarks.md", ":!docs/benchmarks").length > 0,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? "?", node: process.version },
    dataset,
    scenarios,
  };
  saveRun(DOCS, run);
}, 1_800_000);
