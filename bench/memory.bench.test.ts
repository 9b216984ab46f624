import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseRecoveryRecord } from "../ops/recoveryRecord";
import { runProgram } from "../test/harness";
import { type Lab, startLab } from "../test/lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "../test/labEngine";
import { withPeakRss } from "./measure";
import { type MemoryPoint, saveMemoryRun } from "./memoryReport";
import { labelOf, renderAll } from "./report";

/**
 * Peak memory of the processes PRA runs where Pulumi runs (the runner steps, under GNU time) as the
 * blog's database grows from about 50 MB to at least 2 GB: the same forced sync at each size, the data
 * grown between them by doubling a table of 10 kB posts. The sizes are MariaDB's own
 * (data + index length). Asserts only that each sync made its recovery point and the standby served;
 * the figures go to docs/benchmarks/memory/<label>.json and docs/benchmarks.md.
 */
const LABEL = labelOf(process.env.PRA_BENCH_LABEL);
const DOCS = join(__dirname, "../docs");
const STEP_PREFIX = "pra-sync-";
const TARGETS_MB = [50, 2048];

let lab: Lab;
let rssDir: string;
const log: CommandLog[] = [];

beforeAll(async () => {
  rssDir = mkdtempSync(join(tmpdir(), "pra-bench-memory-"));
  lab = await startLab();
}, 900_000);

afterAll(async () => {
  await lab?.stop();
  if (rssDir) rmSync(rssDir, { recursive: true, force: true });
});

const primarySql = async (query: string): Promise<string> =>
  (await lab.primary.exec("mariadb -N wordpress", { input: query, timeoutMs: 3_600_000 })).stdout;

/** InnoDB's sizes in information_schema lag behind bulk inserts until its statistics are recomputed. */
async function databaseBytes(): Promise<number> {
  const out = await primarySql(
    "ANALYZE TABLE wp_posts; SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'wordpress';",
  );
  return Number(out.trim().split("\n").at(-1));
}

/**
 * Grows the blog to at least `mb`: published posts of 10 kB each (text, as a post body is), first 50 of
 * them, then the post rows doubled until the size is reached.
 */
async function growTo(mb: number): Promise<void> {
  const columns =
    "post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, post_parent, guid, post_type";
  if (Number((await primarySql("SELECT COUNT(*) FROM wp_posts WHERE post_name LIKE 'filler-%';")).trim()) === 0) {
    await primarySql(
      `INSERT INTO wp_posts (${columns})
       SELECT 1, '2020-01-01', '2020-01-01', REPEAT(CONCAT(MD5(seq), ' '), 300), CONCAT('Filler ', seq), '', 'publish',
              'open', 'open', CONCAT('filler-', seq), '', '', '2020-01-01', '2020-01-01', '', 0, '', 'post'
       FROM seq_1_to_50;`,
    );
  }
  while ((await databaseBytes()) < mb * 1024 * 1024) {
    await primarySql(
      `INSERT INTO wp_posts (${columns})
       SELECT post_author, post_date, post_date_gmt, CONCAT(MD5(RAND()), SUBSTRING(post_content, 33)), post_title, post_excerpt,
              post_status, comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt,
              post_content_filtered, post_parent, guid, post_type
       FROM wp_posts WHERE post_name LIKE 'filler-%';`,
    );
  }
  // WordPress's home page must still show the blog's own newest post.
  await lab.primary.addPost(`Newest at ${mb} MB`, "body");
}

async function syncAt(mb: number): Promise<MemoryPoint> {
  await growTo(mb);
  const bytes = await databaseBytes();
  const run = `memory-${mb}`;
  const rss = withPeakRss(labHooks(lab, log), rssDir);
  const started = process.hrtime.bigint();
  const result = await runProgram(labSyncConfig(lab, run), { hooks: rss.hooks, secretKeys: ["primarySshPrivateKey"] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  expect(parseRecoveryRecord(result.outputs.recoveryPoint)?.run).toBe(run);
  const page = await lab.standby.exec(
    `curl -fsS --max-time 60 --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`,
  );
  expect(page.stdout).toContain(`Newest at ${mb} MB`);
  const peaks = rss.peaks();
  return {
    databaseBytes: bytes,
    seconds,
    peakRssKiB: Object.fromEntries(Object.entries(peaks).map(([name, kib]) => [name.replace(STEP_PREFIX, ""), kib])),
  };
}

it("peak memory of the runner steps stays flat as the database grows from 50 MB to 2 GB", async () => {
  const points: MemoryPoint[] = [];
  for (const mb of TARGETS_MB) points.push(await syncAt(mb));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: join(__dirname, ".."), encoding: "utf8" }).trim();
  saveMemoryRun(DOCS, {
    label: LABEL,
    runAt: new Date().toISOString(),
    commit: git("rev-parse", "--short=10", "HEAD"),
    machine: `${cpus().length} × ${cpus()[0]?.model.split(" ").slice(0, 2).join(" ") ?? "?"}, Node ${process.version}`,
    points,
  });
  renderAll(DOCS);
}, 7_200_000);
