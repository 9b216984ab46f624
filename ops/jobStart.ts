import { join } from "node:path";
import { acquireLock, type Lock, LockHeldError } from "../sync/runner/lock";
import type { CommonArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, exitCodeMeaning } from "./exitCodes";
import { praPath } from "./status";

export type JobStart<A> = { args: A; lock: Lock; log(line: string): void } | { code: number };

/**
 * What every job does first, the same way: parse its flags (usage errors exit 2), answer --help,
 * and take the one lock that keeps nightly syncs, drills and failbacks from overlapping (exit 4).
 */
export function startJob<A extends CommonArgs>(
  prefix: string,
  argv: string[],
  deps: OpsDeps,
  parse: (argv: string[]) => A,
  usage: string,
  what: (args: A) => string,
): JobStart<A> {
  const log = (line: string) => deps.out(`${prefix}: ${line}\n`);
  let args: A;
  try {
    args = parse(argv);
  } catch (e) {
    log((e as Error).message);
    return { code: ExitCode.Usage };
  }
  if (args.help) {
    deps.out(`${usage}\n`);
    return { code: ExitCode.Ok };
  }
  try {
    return { args, log, lock: acquireLock(join(praPath(args.workDir), "lock"), { what: what(args), log }) };
  } catch (e) {
    // Held by another run: wait and retry. Anything else (a file where .pra/ should be, no permission)
    // is for the operator to fix before any run can work.
    const code = e instanceof LockHeldError ? ExitCode.Locked : ExitCode.Usage;
    log(`${(e as Error).message}. Nothing was done.`);
    deps.out(`${prefix}: FAILED exit=${code} (${exitCodeMeaning[code]})\n`);
    return { code };
  }
}
