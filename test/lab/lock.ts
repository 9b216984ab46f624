import { threadId } from "node:worker_threads";
import { type Lock, LockHeldError, type LockOwner, waitForLock } from "../../sync/runner/lock";

/**
 * One lab per machine: the namespaces, the bridge and the addresses have fixed names so that a crashed
 * run can be found and cleaned up. The lock file says who owns them, and where the lab directory is.
 */
const LOCK_FILE = "/tmp/pra-lab.lock";

let held: Lock | undefined;

/**
 * Takes the machine's lab lock, waiting for a live lab of another process or thread to stop.
 * Returns the previous owner when it was stale (crashed run, or a lab this thread never stopped),
 * so that the caller cleans up what it left (its `dir`).
 */
export async function acquireLabLock(waitMs: number): Promise<{ stale?: LockOwner & { dir?: string } }> {
  try {
    held = await waitForLock(LOCK_FILE, {
      what: "a lab",
      data: { threadId },
      waitMs,
      isStale: (owner) => owner.pid === process.pid && owner.threadId === threadId,
      onWait: (owner) =>
        process.stderr.write(`pra lab: waiting for the lab of pid ${owner?.pid ?? "?"} to stop (${LOCK_FILE})\n`),
    });
  } catch (e) {
    if (!(e instanceof LockHeldError)) throw e;
    throw new Error(
      `another lab is running (pid ${e.owner?.pid}, thread ${e.owner?.threadId}, see ${LOCK_FILE}); ` +
        "lab tests must not run in parallel (vitest fileParallelism: false)",
    );
  }
  const previous = held.previous;
  return { stale: previous && { ...previous, dir: typeof previous.dir === "string" ? previous.dir : undefined } };
}

export function recordLabDir(dir: string): void {
  held?.record({ dir });
}

export function releaseLabLock(): void {
  held?.release();
  held = undefined;
}
