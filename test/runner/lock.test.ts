import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireLock, LockHeldError, type LockOwner, processStart, waitForLock } from "../../sync/runner/lock";
import { startBackground } from "../../sync/runner/proc";
import { eventually } from "./procfs";

// The lab's use of the lock: wait for a live owner, take a stale one over and learn what it left.
const dir = mkdtempSync(join(tmpdir(), "pra-lock-wait-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lockFile = () => join(dir, `lock-${n++}`);
const DEAD_PID = 4194305; // above Linux's pid_max limit

function ownedBy(pid: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ pid, host: hostname(), procStart: processStart(pid), what: "a lab", since: "s", ...extra });
}

describe("waiting for the lock", () => {
  it("waits for a live owner and takes the lock once it is released", async () => {
    const file = lockFile();
    const sleeper = startBackground(["sleep", "300"]);
    try {
      writeFileSync(file, ownedBy(sleeper.pid as number));
      const waitedFor: (LockOwner | undefined)[] = [];
      const waiting = waitForLock(file, {
        what: "lab",
        waitMs: 60_000,
        pollMs: 20,
        onWait: (owner) => {
          waitedFor.push(owner);
          // The owner goes away only once we are known to be waiting.
          void sleeper.stop();
        },
      });
      const lock = await waiting;
      expect(waitedFor.map((o) => o?.pid)).toEqual([sleeper.pid]);
      // The owner died without releasing: that is a takeover too.
      expect(lock.previous?.pid).toBe(sleeper.pid);
      lock.release();
      expect(existsSync(file)).toBe(false);
    } finally {
      await sleeper.stop();
    }
  });

  it("gives up after waitMs with the owner's error", async () => {
    const file = lockFile();
    const held = acquireLock(file, { what: "the other lab" });
    try {
      const other = waitForLock(file, { what: "lab", waitMs: 0, pollMs: 10, isStale: () => false });
      await expect(other).rejects.toThrow(LockHeldError);
      await expect(other).rejects.toThrow(/the other lab \(pid/);
    } finally {
      held.release();
    }
  });

  it("takes a stale lock over and hands back what its owner recorded", async () => {
    const file = lockFile();
    writeFileSync(file, ownedBy(DEAD_PID, { dir: "/tmp/pra-lab-old", threadId: 3 }));
    const lock = await waitForLock(file, { what: "lab", waitMs: 0 });
    expect(lock.previous).toMatchObject({ pid: DEAD_PID, dir: "/tmp/pra-lab-old", threadId: 3 });
    lock.release();
  });

  it("reads a lock in the lab's old format ({pid, threadId, dir}) as one of this host", async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ pid: DEAD_PID, threadId: 0, dir: "/tmp/pra-lab-x" }));
    const lock = await waitForLock(file, { what: "lab", waitMs: 0 });
    expect(lock.previous?.dir).toBe("/tmp/pra-lab-x");
    lock.release();
    writeFileSync(file, JSON.stringify({ pid: process.pid, threadId: 0 }));
    await expect(waitForLock(file, { what: "lab", waitMs: 0 })).rejects.toThrow(LockHeldError);
    rmSync(file);
  });

  it("records data with the lock and keeps it, without letting it change the owner", () => {
    const file = lockFile();
    const lock = acquireLock(file, { what: "lab", data: { threadId: 7 } });
    lock.record({ dir: "/tmp/pra-lab-new" });
    lock.record({ pid: 1, extra: true });
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      pid: process.pid,
      what: "lab",
      threadId: 7,
      dir: "/tmp/pra-lab-new",
      extra: true,
    });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("an owner that died but was not reaped yet (a zombie) holds nothing", async () => {
    // The zombie's parent execs `sleep`, which never reaps it.
    let out = "";
    const parent = startBackground(["sh", "-c", "sleep 0 & echo $!; exec sleep 300"], {
      onStdout: (chunk) => {
        out += chunk;
      },
    });
    try {
      await eventually(() => out.includes("\n"), "the child's pid");
      const pid = Number(out.trim());
      await eventually(() => readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "), "the child to be a zombie");
      const file = lockFile();
      writeFileSync(file, ownedBy(pid, { dir: "/tmp/pra-lab-zombie" }));
      const lock = await waitForLock(file, { what: "lab", waitMs: 0 });
      expect(lock.previous?.dir).toBe("/tmp/pra-lab-zombie");
      lock.release();
    } finally {
      await parent.stop();
    }
  });

  it("isStale lets a live owner count as stale (a lab this thread never stopped)", () => {
    const file = lockFile();
    const forgotten = acquireLock(file, { what: "lab", data: { threadId: 5 } });
    forgotten.record({ dir: "/tmp/pra-lab-forgotten" });
    const lock = acquireLock(file, { what: "lab", isStale: (o) => o.pid === process.pid && o.threadId === 5 });
    expect(lock.previous?.dir).toBe("/tmp/pra-lab-forgotten");
    // The forgotten lock's release must not remove the lock that replaced it.
    forgotten.release();
    expect(existsSync(file)).toBe(true);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });
});
