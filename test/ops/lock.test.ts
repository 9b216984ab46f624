import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode, OpsError } from "../../ops/exitCodes";
import { acquireLock, ownerAlive, processStart } from "../../ops/lock";

const dir = mkdtempSync(join(tmpdir(), "pra-lock-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lockFile = () => join(dir, `lock-${n++}`, "lock");
const quiet = () => {};
const DEAD_PID = 4194305; // above Linux's pid_max limit

function lockedCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof OpsError ? e.code : -1;
  }
  return undefined;
}

describe("lock", () => {
  it("is exclusive until released, and holds the owner's pid", () => {
    const file = lockFile();
    const lock = acquireLock(file, "nightly sync of stack dev", quiet);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    // the same process cannot take it twice either: two jobs in one process must not overlap
    expect(lockedCode(() => acquireLock(file, "drill", quiet))).toBe(ExitCode.Locked);
    lock.release();
    expect(existsSync(file)).toBe(false);
    acquireLock(file, "drill", quiet).release();
  });

  it("is held while a live process of another pid owns it", async () => {
    const file = lockFile();
    const child = spawn("sleep", ["30"]);
    try {
      await new Promise((r) => child.once("spawn", r));
      const pid = child.pid as number;
      acquireLock(file, "x", quiet).release();
      writeFileSync(
        file,
        JSON.stringify({ pid, host: hostname(), procStart: processStart(pid), what: "w", since: "s" }),
      );
      expect(lockedCode(() => acquireLock(file, "x", quiet))).toBe(ExitCode.Locked);
    } finally {
      child.kill();
    }
  });

  it("takes over the lock of a dead pid, and says so", () => {
    const file = lockFile();
    acquireLock(file, "x", quiet).release();
    writeFileSync(file, JSON.stringify({ pid: DEAD_PID, host: hostname(), what: "nightly", since: "s" }));
    const said: string[] = [];
    const lock = acquireLock(file, "x", (l) => said.push(l));
    expect(said.join("\n")).toMatch(/taking over the stale lock of nightly \(pid 4194305/);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("sees through pid reuse: a live pid with another start time is stale", () => {
    expect(
      ownerAlive({ pid: process.pid, host: hostname(), procStart: processStart(process.pid), what: "", since: "" }),
    ).toBe(true);
    expect(ownerAlive({ pid: process.pid, host: hostname(), procStart: "1", what: "", since: "" })).toBe(false);
    expect(ownerAlive({ pid: DEAD_PID, host: hostname(), what: "", since: "" })).toBe(false);
    // another host's lock cannot be checked: it counts as held
    expect(ownerAlive({ pid: DEAD_PID, host: "elsewhere", what: "", since: "" })).toBe(true);
  });

  it("treats a half-written lock as stale", () => {
    const file = lockFile();
    acquireLock(file, "x", quiet).release();
    writeFileSync(file, '{"pid": 12');
    const lock = acquireLock(file, "x", quiet);
    lock.release();
  });

  it("release never removes a lock another run took over", () => {
    const file = lockFile();
    const lock = acquireLock(file, "x", quiet);
    writeFileSync(file, JSON.stringify({ pid: process.pid + 1, host: hostname(), what: "other", since: "s" }));
    lock.release();
    expect(existsSync(file)).toBe(true);
  });
});
