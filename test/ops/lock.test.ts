import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireLock, LockHeldError, LockPlaceError, ownerAlive, processStart } from "../../sync/runner/lock";
import { startBackground } from "../../sync/runner/proc";

const dir = mkdtempSync(join(tmpdir(), "pra-lock-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lockFile = () => join(dir, `lock-${n++}`, "lock");
const quiet = { what: "x", log: () => {} };
const DEAD_PID = 4194305; // above Linux's pid_max limit

function heldError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("lock", () => {
  it("is exclusive until released, and holds the owner's pid", () => {
    const file = lockFile();
    const lock = acquireLock(file, { what: "nightly sync of stack dev" });
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    // the same process cannot take it twice either: two jobs in one process must not overlap
    const err = heldError(() => acquireLock(file, { what: "drill" }));
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toMatch(/another run holds the lock .*: nightly sync of stack dev \(pid \d+ on /);
    lock.release();
    expect(existsSync(file)).toBe(false);
    acquireLock(file, { what: "drill" }).release();
  });

  it("is held while a live process of another pid owns it", async () => {
    const file = lockFile();
    const sleeper = startBackground(["sleep", "30"]);
    try {
      const pid = sleeper.pid as number;
      acquireLock(file, quiet).release();
      writeFileSync(
        file,
        JSON.stringify({ pid, host: hostname(), procStart: processStart(pid), what: "w", since: "s" }),
      );
      expect(heldError(() => acquireLock(file, quiet))).toBeInstanceOf(LockHeldError);
    } finally {
      await sleeper.stop();
    }
  });

  it("takes over the lock of a dead pid, and says so", () => {
    const file = lockFile();
    acquireLock(file, quiet).release();
    writeFileSync(file, JSON.stringify({ pid: DEAD_PID, host: hostname(), what: "nightly", since: "s" }));
    const said: string[] = [];
    const lock = acquireLock(file, { what: "x", log: (l) => said.push(l) });
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
    acquireLock(file, quiet).release();
    writeFileSync(file, '{"pid": 12');
    const lock = acquireLock(file, quiet);
    lock.release();
  });

  it("release never removes a lock another run took over", () => {
    const file = lockFile();
    const lock = acquireLock(file, quiet);
    writeFileSync(file, JSON.stringify({ pid: process.pid + 1, host: hostname(), what: "other", since: "s" }));
    lock.release();
    expect(existsSync(file)).toBe(true);
  });

  it("says that a file stands where its directory should be, and how to fix it", () => {
    const parent = join(dir, `project-${n++}`);
    mkdirSync(parent);
    writeFileSync(join(parent, ".pra"), "");
    const err = heldError(() => acquireLock(join(parent, ".pra", "lock"), quiet));
    expect(err).toBeInstanceOf(LockPlaceError);
    expect((err as Error).message).toContain(`${join(parent, ".pra")} is a file, not a directory`);
    expect((err as Error).message).toMatch(/Move that file away/);
    expect((err as Error).message).not.toMatch(/another run/);
  });
});
