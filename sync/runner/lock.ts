import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";

/**
 * An exclusive lock file, made with O_EXCL, that says who holds it. The lock of a dead owner (crash,
 * kill -9, reboot) is taken over; the owner's start time sees through PID reuse. Used by the nightly
 * job, drills and failbacks (one lock per checkout) and by the test lab (one lab per machine).
 */
export interface LockOwner {
  pid: number;
  /** Missing in locks of older lab runs: those are of this host. */
  host?: string;
  /** The owner's start time in clock ticks after boot (/proc/<pid>/stat field 22), to see through PID reuse. */
  procStart?: string;
  what?: string;
  since?: string;
  /** What the owner recorded besides (the lab's directory, its thread). */
  [data: string]: unknown;
}

/** Another live run holds the lock. */
export class LockHeldError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly owner?: LockOwner,
  ) {
    super(message);
    this.name = "LockHeldError";
  }
}

/** The lock cannot be made where it was asked for (e.g. a file where its directory should be). */
export class LockPlaceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LockPlaceError";
  }
}

export interface LockOptions {
  /** Says what holds the lock, to the runs it blocks: "nightly sync of stack dev". */
  what: string;
  /** Recorded in the lock as well. */
  data?: Record<string, unknown>;
  /** Told when a stale lock is taken over. */
  log?: (line: string) => void;
  /** Counts an owner as stale even though it is alive (the lab: a lab this very thread never stopped). */
  isStale?: (owner: LockOwner) => boolean;
}

export interface Lock {
  readonly file: string;
  /** The owner of the stale lock that was taken over, with what it recorded; undefined if none or unreadable. */
  readonly previous?: LockOwner;
  /** Adds to what the lock records (e.g. the lab's directory, once it exists). */
  record(data: Record<string, unknown>): void;
  /** Removes the lock if it is still ours: never one that a later run took over. Idempotent. */
  release(): void;
}

/** Fields 3 and up of /proc/<pid>/stat; undefined where /proc is not available. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing paren.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Start time of a process as the kernel records it; undefined where /proc is not available. */
export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True while the owner may still run. A lock of another host cannot be checked, so it counts as alive. */
export function ownerAlive(owner: LockOwner, thisHost = hostname()): boolean {
  if (owner.host !== undefined && owner.host !== thisHost) return true;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const fields = statFields(owner.pid);
  // A zombie has died: only its parent has not reaped it yet (this machine's init may never do so).
  if (fields?.[0] === "Z") return false;
  const start = fields?.[19];
  return owner.procStart === undefined || start === undefined || start === owner.procStart;
}

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return "an unreadable lock";
  const host = owner.host ?? hostname();
  return `${owner.what ?? "a run"} (pid ${owner.pid} on ${host}${owner.since ? `, since ${owner.since}` : ""})`;
}

function readLock(file: string): { raw: string; owner?: LockOwner } | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const owner = JSON.parse(raw) as LockOwner;
    return typeof owner?.pid === "number" ? { raw, owner } : { raw };
  } catch {
    return { raw }; // half-written by a process that died while writing it
  }
}

function makeDirectory(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EEXIST" && code !== "ENOTDIR") {
      throw new LockPlaceError(`cannot take the lock ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  // Some part of the directory's path is a file.
  let blocker = dir;
  for (let p = dir; p !== dirname(p); p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) blocker = p;
    } catch {
      // not there (yet): a part further up is the file
    }
  }
  throw new LockPlaceError(
    `cannot take the lock ${file}: ${blocker} is a file, not a directory. ` +
      `Move that file away (mv ${blocker} ${blocker}.bak) so that the directory can be made, then run again`,
  );
}

function tryCreate(file: string, raw: string): boolean {
  try {
    writeFileSync(file, raw, { flag: "wx", mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new LockPlaceError(`cannot take the lock ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Moves a stale lock aside atomically, then checks that it moved the stale one and not a lock another
 * process took over in the meantime; if it did, puts that back (never over a newer one) and throws.
 * False when the lock vanished meanwhile.
 */
function takeOver(file: string, stale: { raw: string; owner?: LockOwner }): boolean {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  const moved = readFileSync(aside, "utf8");
  if (moved !== stale.raw) {
    try {
      linkSync(aside, file);
    } catch {
      // Yet another run holds it by now: the one we moved is superseded anyway.
    }
    unlinkSync(aside);
    const owner = readLock(file)?.owner;
    throw new LockHeldError(`another run took the lock ${file} over just now`, file, owner);
  }
  unlinkSync(aside);
  return true;
}

/** Takes the lock, or throws LockHeldError (a live owner) or LockPlaceError (cannot be made there). */
export function acquireLock(file: string, opts: LockOptions): Lock {
  makeDirectory(file);
  const me: LockOwner = {
    ...opts.data,
    pid: process.pid,
    host: hostname(),
    procStart: processStart(process.pid),
    what: opts.what,
    since: new Date().toISOString(),
  };
  let previous: LockOwner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    let current = me;
    let raw = `${JSON.stringify(current)}\n`;
    if (tryCreate(file, raw)) {
      let released = false;
      const ours = () => readLock(file)?.raw === raw;
      return {
        file,
        previous,
        record(data) {
          if (released || !ours()) return;
          current = { ...current, ...data, ...pick(me) };
          const next = `${JSON.stringify(current)}\n`;
          const tmp = `${file}.tmp-${process.pid}`;
          writeFileSync(tmp, next, { mode: 0o600 });
          renameSync(tmp, file);
          raw = next;
        },
        release() {
          if (released) return;
          released = true;
          if (ours()) unlinkSync(file);
        },
      };
    }
    const held = readLock(file);
    if (held === undefined) continue; // released between our attempt and the read
    if (held.owner && ownerAlive(held.owner) && !opts.isStale?.(held.owner)) {
      throw new LockHeldError(`another run holds the lock ${file}: ${describeOwner(held.owner)}`, file, held.owner);
    }
    if (!takeOver(file, held)) continue;
    previous = held.owner;
    opts.log?.(`taking over the stale lock of ${describeOwner(held.owner)}: that run died without releasing it`);
  }
  throw new LockHeldError(`could not take the lock ${file}`, file);
}

/** What identifies the owner; recorded data never overrides it. */
function pick(owner: LockOwner): LockOwner {
  const { pid, host, procStart, what, since } = owner;
  return { pid, host, procStart, what, since };
}

export interface WaitOptions extends LockOptions {
  /** How long to wait for a live owner to release the lock. */
  waitMs: number;
  pollMs?: number;
  /** Told once, when the lock is held and waiting begins. */
  onWait?: (owner: LockOwner | undefined) => void;
}

/** Takes the lock, waiting up to waitMs for a live owner to let go; then throws its LockHeldError. */
export async function waitForLock(file: string, opts: WaitOptions): Promise<Lock> {
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    try {
      return acquireLock(file, opts);
    } catch (e) {
      if (!(e instanceof LockHeldError) || Date.now() >= deadline) throw e;
      if (!told) opts.onWait?.(e.owner);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 500));
  }
}
