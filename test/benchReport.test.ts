import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BenchRun, labelOf, renderBenchmarks, type ScenarioResult, saveRun } from "../bench/report";

const KIB = 1024;
const MIB = 1024 * KIB;

function scenario(id: string, praBytes: number, classicBytes: number): ScenarioResult {
  return {
    id,
    title: `Night ${id}`,
    change: `change ${id}`,
    newestPost: "p",
    classic: { bytesToStandby: classicBytes, seconds: 10, servedNewest: true, rsyncBytesSent: 1, dumpBytes: 2 },
    pra: {
      bytesToStandby: praBytes,
      seconds: 5,
      servedNewest: true,
      steps: { files: 2, database: 1.5 },
      peakRssKiB: { files: 102_400 },
      rsyncBytesSent: 3,
      dumpBytesCompressed: 4,
    },
    physicalMinimum: { fileBytes: 0, changedFiles: 0, changedRows: 1, rowBytesCompressed: 512 * KIB, total: 512 * KIB },
  };
}

function run(label: string, runAt: string, praBytes: number): BenchRun {
  return {
    label,
    runAt,
    commit: "0123456789abcdef",
    dirty: false,
    machine: { cpus: 2, cpuModel: "cpu", node: "v20" },
    dataset: { seed: 1, publishedPosts: 2000, approvedComments: 2001, uploads: 400, uploadBytes: 1, seconds: 9 },
    scenarios: [scenario("first", praBytes, 2 * MIB)],
  };
}

describe("benchmark report", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ratios are PRA over classic and PRA over the physical minimum", () => {
    const page = renderBenchmarks([run("today", "2026-11-25T10:00:00Z", MIB)]);
    expect(page).toContain(
      "| today | PRA | 1.0 MiB | 5.0 | rsync 0.0 KiB + dump 0.0 KiB | 0.50 | 0.50 | 512.0 KiB | 2.00 |",
    );
    expect(page).toContain("| today | classic | 2.0 MiB | 10.0 |");
  });

  it("a later label adds its rows and keeps the earlier label's figures", () => {
    dir = mkdtempSync(join(tmpdir(), "pra-bench-report-"));
    saveRun(dir, run("new", "2026-12-01T10:00:00Z", 400 * KIB));
    saveRun(dir, run("today", "2026-11-25T10:00:00Z", MIB));
    const page = readFileSync(join(dir, "benchmarks.md"), "utf8");
    const today = page.indexOf("| today | PRA |");
    const next = page.indexOf("| new | PRA |");
    expect(today).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(today);
    expect(page).toContain("| new | PRA | 400.0 KiB |");
    expect(page).toContain("| today | PRA | 1.0 MiB |");
    expect(
      JSON.parse(readFileSync(join(dir, "benchmarks", "today.json"), "utf8")).scenarios[0].pra.bytesToStandby,
    ).toBe(MIB);
  });

  it("the targets table gives each run's ratio and judges the newest run against the goal", () => {
    const older = run("today", "2026-11-25T10:00:00Z", MIB);
    const newer = run("new", "2026-12-01T10:00:00Z", 2 * KIB);
    for (const r of [older, newer]) r.scenarios.push({ ...r.scenarios[0], id: "comment", title: "Comment night" });
    const page = renderBenchmarks([newer, older]);
    // bytes: 1 MiB and 2 KiB over 2 MiB; step time: critical path 2 s (files) over 10 s
    expect(page).toContain(
      "| Comment night | bytes, PRA/classic | ≤ 0.01 | 0.50 (1.0 MiB / 2.0 MiB) | 0.001 (2.0 KiB / 2.0 MiB) | yes |",
    );
    expect(page).toContain(
      "| Comment night | step time, PRA/classic | ≤ 1.5 | 0.20 (2.0 s / 10.0 s) | 0.20 (2.0 s / 10.0 s) | yes |",
    );
    expect(page).toContain(
      "| Night first | bytes, PRA/classic | ≤ 1.2 | 0.50 (1.0 MiB / 2.0 MiB) | 0.001 (2.0 KiB / 2.0 MiB) | yes |",
    );
    // a night the run did not have: no figure, no verdict
    expect(page).toContain("| changed | bytes, PRA/physical minimum | ≤ 1.05 | — | — | — |");
  });

  it("labels are file-name safe and default to current", () => {
    expect(labelOf(undefined)).toBe("current");
    expect(labelOf(" new ")).toBe("new");
    expect(() => labelOf("../x")).toThrow(/PRA_BENCH_LABEL/);
  });
});
