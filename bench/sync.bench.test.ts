import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runProgram } from "../test/harness";
import { type Lab, startLab } from "../test/lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "../test/labEngine";

/**
 * Sync speed in the lab: a first sync, unchanged syncs, and one after a 50 MB upload, with the
 * bytes rsync sent and each step's time. Results go to docs/benchmarks.md (not asserted as timings).
 */
let lab: Lab;
const rows: string[] = [];
const log: CommandLog[] = [];

beforeAll(async () => {
  lab = await startLab();
}, 300_000);

afterAll(async () => {
  await lab?.stop();
  const table = [
    "# Benchmarks",
    "",
    `Lab sync (\`npm run bench\`, ${new Date().toISOString().slice(0, 10)}, 2 cores): network namespaces on one machine, so the`,
    "times measure PRA's own overhead (SSH set-up, rsync scan, dump, import, verification), not a real uplink.",
    "",
    "| run | wall time (s) | files step (s) | database step (s) | import (s) | switch (s) | rsync bytes sent |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "../docs/benchmarks.md"), table);
});

async function timedSync(run: string): Promise<void> {
  const from = log.length;
  const started = Date.now();
  await runProgram(labSyncConfig(lab, run), { hooks: labHooks(lab, log), secretKeys: ["primarySshPrivateKey"] });
  const wall = (Date.now() - started) / 1000;
  const step = (name: string) =>
    ((log.slice(from).find((l) => l.name === `pra-sync-${name}`)?.ms ?? 0) / 1000).toFixed(1);
  const files = log.slice(from).find((l) => l.name === "pra-sync-files");
  const sent = /sent (\d+) bytes/.exec(files?.stdout ?? "")?.[1] ?? "?";
  rows.push(
    `| ${run} | ${wall.toFixed(1)} | ${step("files")} | ${step("database")} | ${step("import")} | ${step("switch")} | ${sent} |`,
  );
}

it("first sync, three unchanged syncs, one after a 50 MB upload", async () => {
  await timedSync("first");
  for (const n of [1, 2, 3]) await timedSync(`unchanged-${n}`);
  await lab.primary.exec(
    "head -c 50M /dev/urandom > /var/www/blog/wp-content/uploads/bench.bin && chown www-data: /var/www/blog/wp-content/uploads/bench.bin",
  );
  await timedSync("after-50MB-upload");
  expect(rows).toHaveLength(5);
}, 900_000);
