import { join } from "node:path";
import type { CommonArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, notOk, OpsError } from "./exitCodes";
import { acquireLock, type Lock } from "./lock";
import type { Session } from "./session";
import { praDir } from "./status";

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
    return { args, log, lock: acquireLock(join(praDir(args.workDir), "lock"), spec.what(args), log) };
  } catch (e) {
    log(`${(e as Error).message}. Nothing was done.`);
    deps.out(`${spec.prefix}: ${notOk(ExitCode.Locked)}\n`);
    return { code: e instanceof OpsError ? e.code : ExitCode.Failed };
  }
}
