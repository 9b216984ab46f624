import { readdirSync, readFileSync } from "node:fs";
import { constants } from "node:os";

/**
 * Process groups of the commands we run. Every command starts as the leader of a group of its own, so
 * that stopping it also stops what it started (ssh's children, a shell's background jobs), and nothing
 * but that command: never this process or its siblings.
 */

/** Groups of calls still in flight, so that a signal to this process can stop them (see stopChildrenOnSignals). */
const inFlight = new Set<number>();

export function track(pgid: number): void {
  inFlight.add(pgid);
}

export function untrack(pgid: number): void {
  inFlight.delete(pgid);
}

function send(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    // ESRCH: the whole group is gone. EPERM: a member changed user; nothing more we may do.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True while a member of the group is running. Zombies do not count: this machine's init may reap
 * orphans late or never, and a zombie holds nothing (kill -0 would still see it).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return send(pgid, 0);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name, which may hold spaces and parentheses: state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}

const POLL_MS = 50;

/**
 * Stops a whole group: SIGTERM, then SIGKILL once graceMs have passed with a member still running
 * (graceMs 0: SIGKILL at once). Resolves when the group is gone or has been sent SIGKILL.
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (graceMs <= 0) {
    send(pgid, "SIGKILL");
    return;
  }
  if (!send(pgid, "SIGTERM")) return;
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, graceMs - waited)));
    if (!groupAlive(pgid)) return;
  }
  send(pgid, "SIGKILL");
}

let forwarding = false;

/**
 * Our commands run in groups of their own, so a Ctrl-C or a SIGTERM meant for this process does not
 * reach them: on SIGHUP, SIGINT or SIGTERM, stop the ones still running, call cleanup, then exit as the
 * signal would have (128 + its number).
 */
export function stopChildrenOnSignals(cleanup: () => void = () => {}, graceMs = 3000): void {
  if (forwarding) return;
  forwarding = true;
  for (const signal of ["SIGHUP", "SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void Promise.all([...inFlight].map((pgid) => killGroup(pgid, graceMs)))
        .then(cleanup)
        .finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
}
