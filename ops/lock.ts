import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { ExitCode, OpsError } from "./exitCodes";

/**
 * One exclusive lock per project checkout, shared by every operation that changes the standby (nightly
 * sync, drills, and failover/failback scripts may take it too), so they never overlap. A lock file made
 * with O_EXCL holds the owner's PID; a lock whose owner is dead (crash, kill -9, reboot) is taken over.
 */
export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's start time in clock ticks after boot (/proc/<pid>/stat field 22), to see through PID reuse. */
  procStart?: string;
  what: string;
  since: string;
}

export interface Lock {
  readonly file: string;
  release(): void;
}

/** Start time of a process as the kernel records it; undefined where /proc is not available. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing paren.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** True while the owner may still run. A lock of another host cannot be checked, so it counts as alive. */
export function ownerAlive(owner: LockOwner, thisHost = hostname()): boolean {
  if (owner.host !== thisHost) return true;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = processStart(owner.pid);
  return owner.procStart === undefined || start === undefined || start === owner.procStart;
}

function readOwner(file: string): { raw: string; owner?: LockOwner } | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const owner = JSON.parse(raw) as LockOwner;
    return typeof owner.pid === "number" ? { raw, owner } : { raw };
  } catch {
    return { raw }; // half-written by a process that died while writing it
  }
}

function describe(owner: LockOwner | undefined): string {
  return owner ? `${owner.what} (pid ${owner.pid} on ${owner.host}, since ${owner.since})` : "an unreadable lock";
}

/**
 * Takes the lock or throws OpsError(Locked). `log` is told when a stale lock is taken over, so the
 * output says that an earlier run died (its instance is cleaned up by the caller's leftover check).
 */
export function acquireLock(file: string, what: string, log: (line: string) => void): Lock {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: processStart(process.pid),
    what,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o600 });
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          // Only remove our own lock: never one a later run took over.
          if (readOwner(file)?.owner?.pid === me.pid) unlinkSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const held = readOwner(file);
    if (held === undefined) continue; // released between our attempt and the read
    if (held.owner && ownerAlive(held.owner)) {
      throw new OpsError(ExitCode.Locked, `another run holds the lock ${file}: ${describe(held.owner)}`);
    }
    // Stale. Move it aside atomically, then check we moved the stale one and not a lock another process
    // took over in the meantime; if we did, put it back and report contention.
    const aside = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    const moved = readFileSync(aside, "utf8");
    if (moved !== held.raw) {
      renameSync(aside, file);
      throw new OpsError(ExitCode.Locked, `another run took the lock ${file} over just now`);
    }
    unlinkSync(aside);
    log(`taking over the stale lock of ${describe(held.owner)}: that run died without releasing it`);
  }
  throw new OpsError(ExitCode.Locked, `could not take the lock ${file}`);
}
