import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNightlyArgs } from "../../ops/args";
import { defaultDeps } from "../../ops/deps";
import { ExitCode } from "../../ops/exitCodes";
import { startJob } from "../../ops/jobStart";

const dir = mkdtempSync(join(tmpdir(), "pra-job-start-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function start(workDir: string) {
  let text = "";
  const out = (t: string) => {
    text += t;
  };
  const deps = { ...defaultDeps(), out };
  const spec = {
    job: "nightly",
    prefix: "pra nightly",
    parse: parseNightlyArgs,
    usage: "usage",
    what: () => "nightly",
  } as const;
  const started = startJob(spec, ["--work-dir", workDir], deps);
  return { started, output: () => text };
}

describe("job start", () => {
  it("exits 4 while another run holds the lock", () => {
    const workDir = join(dir, `p${n++}`);
    const first = start(workDir);
    try {
      const second = start(workDir);
      expect(second.started).toEqual({ code: ExitCode.Locked });
      expect(second.output()).toMatch(/another run holds the lock .*\. Nothing was done\./);
      expect(second.output()).toContain("FAILED exit=4 (another run holds the lock)");
    } finally {
      if ("lock" in first.started) first.started.lock.release();
    }
  });

  it("a file named .pra is a precondition error that says what to do, not a held lock", () => {
    const workDir = join(dir, `p${n++}`);
    mkdirSync(workDir);
    writeFileSync(join(workDir, ".pra"), "");
    const { started, output } = start(workDir);
    expect(started).toEqual({ code: ExitCode.Usage });
    expect(output()).toContain(`${join(workDir, ".pra")} is a file, not a directory`);
    expect(output()).toContain("Move that file away");
    expect(output()).toContain("FAILED exit=2 (usage, config or precondition error)");
    expect(output()).not.toMatch(/holds the lock/);
  });
});
