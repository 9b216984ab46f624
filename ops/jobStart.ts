import { join } from "node:path";
import { acquireLock, type Lock, LockHeldError } from "../sync/runner/lock";
import type { CommonArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, notOk } from "./exitCodes";
import type { Session } from "./session";
import { praPath } from "./status";

/** What tells the jobs apart before they run: their name, flags, help text and what the lock says. */
export interface JobSpec<A extends CommonArgs> {
  job: Session["job"];
  /** Starts every line the job prints, e.g. "pra nightly". */
  prefix: string;
  parse(argv: string[]): A;
  usage: string;
  /** What holds the lock, for whoever finds it taken, e.g. "nightly sync of stack dev". */
  what(args: A): string;
}

export type JobStart<A> = { args: A; lock: Lock; log(line: string): void } | { code: number };

/**
 * What every job does first, the same way: parse its flags (usage errors exit 2), answer --help,
 * and take the one lock that keeps nightly syncs, drills and failbacks from overlapping (exit 4).
 */
export function startJob<A extends CommonArgs>(spec: JobSpec<A>, argv: string[], deps: OpsDeps): JobStart<A> {
  const log = (line: string) => deps.out(`${spec.prefix}: ${line}\n`);
  let args: A;
  try {
    args = spec.parse(argv);
  } catch (e) {
    log((e as Error).message);
    return { code: ExitCode.Usage };
  }
  if (args.help) {
    deps.out(`${spec.usage}\n`);
    return { code: ExitCode.Ok };
  }
  try {
    return { args, log, lock: acquireLock(join(praPath(args.workDir), "lock"), { what: spec.what(args), log }) };
  } catch (e) {
    // Held by another run: wait and retry. Anything else (a file where .pra/ should be, no permission)
    // is for the operator to fix before any run can work.
    const code = e instanceof LockHeldError ? ExitCode.Locked : ExitCode.Usage;
    log(`${(e as Error).message}. Nothing was done.`);
    deps.out(`${spec.prefix}: ${notOk(code)}\n`);
    return { code };
  }
}
