import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One forced sync at one database size. */
export interface MemoryPoint {
  /** MariaDB's data + index length of the blog's schema. */
  databaseBytes: number;
  /** The whole sync (the program's evaluation and every step). */
  seconds: number;
  /** Peak resident set (KiB) of each runner step's process tree: ready, files, database. */
  peakRssKiB: Record<string, number>;
}

export interface MemoryRun {
  label: string;
  runAt: string;
  commit: string;
  machine: string;
  points: MemoryPoint[];
}

const dirOf = (docsDir: string) => join(docsDir, "benchmarks", "memory");

/** Stores the run under its label; bench/report.ts's renderAll puts it on the page. */
export function saveMemoryRun(docsDir: string, run: MemoryRun): void {
  mkdirSync(dirOf(docsDir), { recursive: true });
  writeFileSync(join(dirOf(docsDir), `${run.label}.json`), `${JSON.stringify(run, null, 2)}\n`);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The largest database's peak over the smallest's, per step: flat is about 1. */
function growth(run: MemoryRun, step: string): string {
  const first = run.points[0]?.peakRssKiB[step];
  const last = run.points.at(-1)?.peakRssKiB[step];
  return first && last ? (last / first).toFixed(2) : "—";
}

/** The "Memory as the database grows" section of docs/benchmarks.md, or nothing before a first run. */
export function memorySection(docsDir: string): string[] {
  const dir = dirOf(docsDir);
  if (!existsSync(dir)) return [];
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as MemoryRun)
    .sort((a, b) => a.runAt.localeCompare(b.runAt));
  if (runs.length === 0) return [];
  const steps = [...new Set(runs.flatMap((r) => r.points.flatMap((p) => Object.keys(p.peakRssKiB))))].sort();
  const lines = [
    "## Memory as the database grows",
    "",
    "`bench/memory.bench.test.ts`: the same forced sync (program + every step, lab engine) on the lab blog grown",
    "to about 50 MB, then to at least 2 GB (10 kB posts, doubled by SQL: the last doubling passes 2 GB); peak resident set of each runner step",
    "(what runs where Pulumi runs), by GNU time. Goal (issue 9): flat, i.e. the 2 GB peak about the 50 MB one.",
    "",
    `| run | date | commit | machine | database | sync (s) | ${steps.map((s) => `${s} (MiB)`).join(" | ")} |`,
    `|---|---|---|---|---|---|${steps.map(() => "---|").join("")}`,
  ];
  for (const run of runs) {
    for (const p of run.points) {
      lines.push(
        `| ${run.label} | ${run.runAt.slice(0, 16).replace("T", " ")} UTC | ${run.commit} | ${run.machine} | ${mib(p.databaseBytes)} | ${p.seconds.toFixed(1)} | ${steps.map((s) => (p.peakRssKiB[s] ? (p.peakRssKiB[s] / 1024).toFixed(0) : "—")).join(" | ")} |`,
      );
    }
    lines.push(
      `| ${run.label} | | | | **largest / smallest** | | ${steps.map((s) => `**${growth(run, s)}×**`).join(" | ")} |`,
    );
  }
  lines.push("");
  return lines;
}
