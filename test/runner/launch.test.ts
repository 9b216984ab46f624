import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PROJECT = resolve(__dirname, "../..");
const USAGE = /^usage: node sync\/runner\/launch\.cjs ready\|files\|database\|health /;

/** A copy of the project's sync/ with its node_modules linked: the launcher bundles what it finds there. */
function projectCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), "pra-launch-test-"));
  cpSync(join(PROJECT, "sync"), join(copy, "sync"), { recursive: true });
  symlinkSync(join(PROJECT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

const launch = (copy: string, step: string) =>
  spawnSync(process.execPath, [join(copy, "sync/runner/launch.cjs"), step], {
    cwd: copy,
    encoding: "utf8",
    input: "",
    timeout: 60_000,
  });

describe("sync/runner/launch.cjs", () => {
  let copy: string;
  beforeAll(() => {
    copy = projectCopy();
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  const bundles = () => readdirSync(join(copy, ".pra/runner")).sort();

  it("runs cli.ts from a bundle built once per content of sync/, and only the newest is kept", () => {
    const first = launch(copy, "no-such-step");
    expect(first.stderr).toMatch(USAGE);
    expect(first.status).toBe(2);
    const built = bundles();
    expect(built).toEqual([expect.stringMatching(/^cli-[0-9a-f]{32}\.cjs$/)]);

    expect(launch(copy, "no-such-step").status).toBe(2);
    expect(bundles()).toEqual(built);

    appendFileSync(join(copy, "sync/layout.ts"), "\n// a change of any source under sync/\n");
    const again = launch(copy, "no-such-step");
    expect(again.stderr).toMatch(USAGE);
    expect(bundles()).toEqual([expect.stringMatching(/^cli-[0-9a-f]{32}\.cjs$/)]);
    expect(bundles()).not.toEqual(built);
  });

  it("names the directory it cannot build in", () => {
    const broken = projectCopy();
    try {
      writeFileSync(join(broken, ".pra"), "a file where the directory should be");
      const r = launch(broken, "ready");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`pra-runner: cannot build the runner bundle in ${join(broken, ".pra/runner")}:`);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
