import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { threadId } from "node:worker_threads";
import { sleep } from "./proc";

/**
 * One lab per machine: the namespaces, the bridge and the addresses have fixed names so that a crashed
 * run can be found and cleaned up. The lock file says who owns them, and where the lab directory is.
 */
const LOCK_FILE = "/tmp/pra-lab.lock";

export interface LockOwner {
  pid: number;
  threadId: number;
  dir?: string;
}

function readOwner(): LockOwner | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(LOCK_FILE, "utf8"));
    if (typeof parsed === "object" && parsed !== null && "pid" in parsed && typeof parsed.pid === "number") {
      const tid = "threadId" in parsed && typeof parsed.threadId === "number" ? parsed.threadId : 0;
      const dir = "dir" in parsed && typeof parsed.dir === "string" ? parsed.dir : undefined;
      return { pid: parsed.pid, threadId: tid, dir };
    }
    return { pid: 0, threadId: 0 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable or half-written by a crashed run: treat it as stale.
    return { pid: 0, threadId: 0 };
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes the machine's lab lock, waiting for a live lab of another process or thread to stop.
 * Returns the previous owner when it was stale (crashed run, or a lab this thread never stopped),
 * so that the caller cleans up what it left.
 */
export async function acquireLabLock(waitMs: number): Promise<{ stale?: LockOwner }> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, threadId }), { flag: "wx" });
      return {};
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = readOwner();
    if (owner === undefined) continue;
    const ours = owner.pid === process.pid && owner.threadId === threadId;
    if (ours || !isAlive(owner.pid)) {
      writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, threadId }));
      return { stale: owner };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another lab is running (pid ${owner.pid}, thread ${owner.threadId}, see ${LOCK_FILE}); ` +
          "lab tests must not run in parallel (vitest fileParallelism: false)",
      );
    }
    if (!told) {
      process.stderr.write(`pra lab: waiting for the lab of pid ${owner.pid} to stop (${LOCK_FILE})\n`);
      told = true;
    }
    await sleep(500);
  }
}

export function recordLabDir(dir: string): void {
  writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, threadId, dir }));
}

export function releaseLabLock(): void {
  const owner = readOwner();
  if (owner && owner.pid === process.pid && owner.threadId === threadId) rmSync(LOCK_FILE, { force: true });
}
