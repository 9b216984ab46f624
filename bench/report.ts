import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DatasetSummary } from "./dataset";
import { memorySection } from "./memoryReport";
import type { PhysicalMinimum } from "./physicalMinimum";

export interface ProcedureResult {
  /** Received on the standby's interface while the procedure ran. */
  bytesToStandby: number;
  seconds: number;
  /** The standby served the newest post right after. */
  servedNewest: boolean;
}

export interface ClassicResult extends ProcedureResult {
  rsyncBytesSent: number;
  dumpBytes: number;
}

export interface PraResult extends ProcedureResult {
  /** Seconds per step, by step name (ready, install, files, database, import, switch, verify). */
  steps: Record<string, number>;
  /** Largest resident set of each runner step's process tree, KiB. */
  peakRssKiB: Record<string, number>;
  rsyncBytesSent: number;
  /** The dump's bytes on the wire, compressed: a gzip stream before issue 10, an rsync -z delta since. */
  dumpBytesCompressed: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What changed on the primary before this night. */
  change: string;
  newestPost: string;
  classic: ClassicResult;
  pra: PraResult;
  /** The nightly job's change check (primaryFingerprint against the lab primary); none before the first sync. */
  changeCheck?: { seconds: number; changed: string[] };
  physicalMinimum?: PhysicalMinimum;
}

export interface BenchRun {
  label: string;
  runAt: string;
  commit: string;
  dirty: boolean;
  machine: { cpus: number; cpuModel: string; node: string };
  dataset: DatasetSummary;
  scenarios: ScenarioResult[];
}

const STEPS = ["ready", "install", "files", "database", "import", "switch", "verify"];
const RUNNER_STEPS = ["ready", "files", "database"];

const METHOD = `# Benchmarks

\`npm run bench\` (bench/sync.bench.test.ts) times PRA's nightly sync against the classic hand-written
procedure (bench/classic-sync.sh: \`rsync -a --delete\` of the web root over ssh, \`mariadb-dump
--single-transaction\` to a file, \`scp\` of the uncompressed dump, import over ssh, cache clean-up, DB_HOST fix,
chown) on the same data, one night after the other, and reports **ratios**: speed and memory targets live here,
never in timed tests.

**The lab**: two network namespaces (primary, standby) on one machine with real sshd, MariaDB, Apache and WordPress
(test/lab). There is no real uplink: the times are each procedure's own overhead (SSH set-up, scans, dump, import,
checks) on a shared machine, not what a WAN would make of the bytes. PRA's steps run as the program wires them
(runProgram + labHooks: every \`command:local\`/\`command:remote\` really runs); no instance boots.

**The data**: a seeded blog on the lab primary (bench/dataset.ts): published posts, approved comments, and uploads
(incompressible JPEG-like files: originals and three sizes each, with their attachment rows), by bulk SQL, then
checked to be served by WordPress.

**Each night**, in this order: the change on the primary; PRA's change check (\`primaryFingerprint\`, the nightly
job's, which reads only the primary and boots nothing when nothing changed); the classic procedure, into its own
directory, schema and Apache site on the standby (/srv/classic/www, schema \`classic\`, served on 127.0.0.3) so it
never touches PRA's data volume; then PRA's sync, forced (it runs even on the unchanged night). After each, the
standby must serve the primary's newest post (curl on the standby), or the run fails.

**PRA's wall time** is the program run with the lab's mock engine (test/harness.ts): the program's evaluation plus
every step. A real \`pulumi up\` adds the engine's and providers' start-up, and a real night adds the instance's
boot; the *critical path* column (ready + install + the longer of files and database + import + switch + verify)
is the steps alone.

**Measured**: *bytes to standby* = growth of the standby interface's received-bytes counter (\`ip -s link\` in its
namespace) during the procedure, the same for both: all traffic (data, ssh, headers) from the primary and from where
Pulumi runs. *Wall time* = the whole procedure. *Physical minimum* = bytes of the new or changed files (page cache
excluded) + the new or changed rows (mariadb-dump, one INSERT line per row, lines absent before the change) gzip -9.
*Peak RSS* = GNU \`/usr/bin/time -f %M\` around each \`node sync/runner/launch.cjs\` step (what runs where Pulumi runs):
the largest resident set any process of the step reached. The tools' own counts (rsync's *Total bytes sent*, the
dump's size) are shown too, as a cross-check. The classic dump travels uncompressed, as the procedure is usually
written (gzip would bring it near a whole compressed dump). PRA's *dump* is what its database step sent: for \`today\`
a gzip stream of the whole dump, since then an \`rsync -z\` delta against the previous night's dump. Classic runs
first each night, so PRA finds the primary's page cache warm.

Each run is kept in docs/benchmarks/<label>.json (label: \`PRA_BENCH_LABEL\`, default \`current\`) and this page is
rendered from all of them (\`npx tsx bench/render.ts\` re-renders without running), oldest first.
`;

function size(bytes: number | undefined): string {
  if (bytes === undefined || Number.isNaN(bytes)) return "—";
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "—";
  return (a / b).toFixed(2);
}

/** The steps' time in the order Pulumi runs them: files and database run side by side. */
function criticalPath(steps: Record<string, number>): number {
  const t = (n: string) => steps[n] ?? 0;
  return t("ready") + t("install") + Math.max(t("files"), t("database")) + t("import") + t("switch") + t("verify");
}

const secs = (s: number | undefined) => (s === undefined ? "—" : s.toFixed(1));
const mib = (kib: number | undefined) => (kib === undefined ? "—" : (kib / 1024).toFixed(0));

function runsTable(runs: BenchRun[]): string[] {
  return [
    "## Runs",
    "",
    "| label | date | commit | machine | data set |",
    "|---|---|---|---|---|",
    ...runs.map((r) => {
      const d = r.dataset;
      const data = `${d.publishedPosts} posts, ${d.approvedComments} comments, ${d.uploads} uploads (${size(d.uploadBytes)}), seed ${d.seed}, generated in ${d.seconds.toFixed(0)} s`;
      const machine = `${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}`;
      return `| ${r.label} | ${r.runAt.slice(0, 16).replace("T", " ")} UTC | ${r.commit.slice(0, 10)}${r.dirty ? " (modified)" : ""} | ${machine} | ${data} |`;
    }),
    "",
  ];
}

/**
 * Issue 10's targets, each a ratio measured in one run against the classic procedure (or the physical
 * minimum) on the same data. Time is PRA's critical path (its steps, as Pulumi orders them) over the
 * classic procedure's wall time: neither includes an instance's boot.
 */
interface Target {
  scenario: string;
  what: string;
  goal: number;
  /** The ratio, and what it is made of (e.g. "198.5 KiB / 6.8 MiB"). */
  measure(s: ScenarioResult): { ratio: number; of: string } | undefined;
}

const bytesOverClassic = (s: ScenarioResult) => ({
  ratio: s.pra.bytesToStandby / s.classic.bytesToStandby,
  of: `${size(s.pra.bytesToStandby)} / ${size(s.classic.bytesToStandby)}`,
});
const stepsOverClassic = (s: ScenarioResult) => ({
  ratio: criticalPath(s.pra.steps) / s.classic.seconds,
  of: `${secs(criticalPath(s.pra.steps))} s / ${secs(s.classic.seconds)} s`,
});
const TARGETS: Target[] = [
  { scenario: "comment", what: "bytes, PRA/classic", goal: 0.01, measure: bytesOverClassic },
  { scenario: "comment", what: "step time, PRA/classic", goal: 1.5, measure: stepsOverClassic },
  { scenario: "unchanged", what: "bytes, PRA/classic (forced)", goal: Number.NaN, measure: bytesOverClassic },
  { scenario: "unchanged", what: "step time, PRA/classic (forced)", goal: 1.5, measure: stepsOverClassic },
  {
    scenario: "changed",
    what: "bytes, PRA/physical minimum",
    goal: 1.05,
    measure: (s) =>
      s.physicalMinimum?.total
        ? {
            ratio: s.pra.bytesToStandby / s.physicalMinimum.total,
            of: `${size(s.pra.bytesToStandby)} / ${size(s.physicalMinimum.total)}`,
          }
        : undefined,
  },
  { scenario: "changed", what: "step time, PRA/classic", goal: 1.5, measure: stepsOverClassic },
  { scenario: "first", what: "bytes, PRA/classic", goal: 1.2, measure: bytesOverClassic },
  { scenario: "first", what: "step time, PRA/classic", goal: 1.2, measure: stepsOverClassic },
];

function targetsTable(runs: BenchRun[]): string[] {
  const lines = [
    "## Targets (issue 10)",
    "",
    "Each a ratio within one run: bytes to standby, PRA over classic (or over the physical minimum); step time, PRA's",
    "critical path over the classic procedure's wall time. *met* is judged on the newest run. The unchanged night",
    "has no byte target: the nightly job boots nothing then (its figures are a forced sync's).",
    "",
    `| night | measure | goal | ${runs.map((r) => r.label).join(" | ")} | met |`,
    `|---|---|---|${runs.map(() => "---|").join("")}---|`,
  ];
  for (const t of TARGETS) {
    const values = runs.map((r) => {
      const s = r.scenarios.find((x) => x.id === t.scenario);
      return s ? t.measure(s) : undefined;
    });
    const title = runs.flatMap((r) => r.scenarios).find((x) => x.id === t.scenario)?.title ?? t.scenario;
    const shown = values.map((v) =>
      v === undefined ? "—" : `${v.ratio < 0.1 ? v.ratio.toFixed(3) : v.ratio.toFixed(2)} (${v.of})`,
    );
    const newest = values[values.length - 1]?.ratio;
    const met = Number.isNaN(t.goal) || newest === undefined ? "—" : newest <= t.goal ? "yes" : "no";
    const goal = Number.isNaN(t.goal) ? "—" : `≤ ${t.goal}`;
    lines.push(`| ${title} | ${t.what} | ${goal} | ${shown.join(" | ")} | ${met} |`);
  }
  lines.push("");
  return lines;
}

function scenarioSection(id: string, runs: BenchRun[]): string[] {
  const found = runs.flatMap((r) => r.scenarios.filter((s) => s.id === id).map((s) => ({ run: r, s })));
  const first = found[0].s;
  const lines = [
    `## ${first.title}`,
    "",
    `${first.change}`,
    "",
    "| run | procedure | bytes to standby | wall time (s) | tools' own count | PRA/classic bytes | PRA/classic time | physical minimum | PRA/physical minimum |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { run, s } of found) {
    const min = s.physicalMinimum;
    lines.push(
      `| ${run.label} | classic | ${size(s.classic.bytesToStandby)} | ${secs(s.classic.seconds)} | rsync ${size(s.classic.rsyncBytesSent)} + dump ${size(s.classic.dumpBytes)} | | | | |`,
      `| ${run.label} | PRA | ${size(s.pra.bytesToStandby)} | ${secs(s.pra.seconds)} | rsync ${size(s.pra.rsyncBytesSent)} + dump ${size(s.pra.dumpBytesCompressed)} | ${ratio(s.pra.bytesToStandby, s.classic.bytesToStandby)} | ${ratio(s.pra.seconds, s.classic.seconds)} | ${min ? size(min.total) : "—"} | ${ratio(s.pra.bytesToStandby, min?.total)} |`,
    );
  }
  lines.push(
    "",
    `PRA's steps (s), the change check before the night (s, what it found), peak RSS of the runner steps (MiB: ${RUNNER_STEPS.join(" / ")}):`,
    "",
    `| run | ${STEPS.join(" | ")} | critical path | change check | peak RSS |`,
    `|---|${STEPS.map(() => "---|").join("")}---|---|---|`,
  );
  for (const { run, s } of found) {
    const check = s.changeCheck
      ? `${secs(s.changeCheck.seconds)} (${s.changeCheck.changed.length === 0 ? "unchanged: boots nothing" : `changed: ${s.changeCheck.changed.join(", ")}`})`
      : "— (no recovery point yet)";
    const rss = RUNNER_STEPS.map((n) => mib(s.pra.peakRssKiB[n])).join(" / ");
    lines.push(
      `| ${run.label} | ${STEPS.map((n) => secs(s.pra.steps[n])).join(" | ")} | ${secs(criticalPath(s.pra.steps))} | ${check} | ${rss} |`,
    );
  }
  const minima = found.filter(({ s }) => s.physicalMinimum);
  if (minima.length > 0) {
    lines.push("", "Physical minimum:", "");
    for (const { run, s } of minima) {
      const m = s.physicalMinimum as PhysicalMinimum;
      lines.push(
        `- ${run.label}: ${m.changedFiles} files, ${size(m.fileBytes)} + ${m.changedRows} rows, ${size(m.rowBytesCompressed)} gzip -9 = ${size(m.total)}`,
      );
    }
  }
  lines.push("");
  return lines;
}

/** The page for every labelled run, oldest first; scenarios in the order they first appear. */
export function renderBenchmarks(runs: BenchRun[]): string {
  const sorted = [...runs].sort((a, b) => a.runAt.localeCompare(b.runAt));
  const ids = [...new Set(sorted.flatMap((r) => r.scenarios.map((s) => s.id)))];
  return [
    METHOD,
    ...runsTable(sorted),
    ...targetsTable(sorted),
    ...ids.flatMap((id) => scenarioSection(id, sorted)),
  ].join("\n");
}

export function labelOf(env: string | undefined): string {
  const label = env?.trim() || "current";
  if (!/^[A-Za-z0-9._-]+$/.test(label))
    throw new Error(`PRA_BENCH_LABEL must be letters, digits, . _ - (got "${label}")`);
  return label;
}

/** Stores this run under its label (replacing an older run of the same label) and re-renders the page. */
export function saveRun(docsDir: string, run: BenchRun): void {
  const dir = join(docsDir, "benchmarks");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${run.label}.json`), `${JSON.stringify(run, null, 2)}\n`);
  renderAll(docsDir);
}

export function renderAll(docsDir: string): void {
  const dir = join(docsDir, "benchmarks");
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as BenchRun);
  writeFileSync(join(docsDir, "benchmarks.md"), [renderBenchmarks(runs), ...memorySection(docsDir)].join("\n"));
}
