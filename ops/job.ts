import type { CommonArgs } from "./args";
import type { OpsDeps } from "./deps";
import { ExitCode, OpsError } from "./exitCodes";
import { type JobSpec, startJob } from "./jobStart";
import { openSession, type Session } from "./session";
import { Interruption } from "./signals";
import { errorText } from "./workspace";

/** Why a job ended early: its exit code and the message for the operator. */
export interface Failure {
  code: ExitCode;
  detail: string;
}

/** One run of a job, once its flags are parsed and it holds the lock. */
export interface JobRun<A> {
  args: A;
  deps: OpsDeps;
  /** Prints one line under the job's prefix. */
  log(line: string): void;
  startedAt: Date;
}

/** What a job does that the others do not; runJob does the rest the same way for all. */
export interface JobParts<R> {
  /** The job's own work in an open session: returns what the finish reports; an OpsError ends it with its code. */
  body(session: Session): Promise<R>;
  /** What a failure of the session or of the body becomes, for the finish to report. */
  failed(failure: Failure): R;
  /** Report, status file, alert: after the signal handlers are gone, before the lock is released. Returns the exit code. */
  finish(result: R, session: Session | undefined): Promise<number>;
}

/** Any error as a job failure: an OpsError keeps its code, anything else is exit 1 with the useful part of its text. */
export function failureOf(e: unknown): Failure {
  return e instanceof OpsError ? { code: e.code, detail: e.message } : { code: ExitCode.Failed, detail: errorText(e) };
}

/**
 * The one shape of every job: start (flags, --help, lock), signal handling while it works, the stack's
 * session, the job's body, any error turned into its exit code, the job's finish, and the lock released
 * whatever happens. `parts` is called once the lock is held, so a job can keep per-run values in its closure.
 */
export async function runJob<A extends CommonArgs, R>(
  spec: JobSpec<A>,
  argv: string[],
  deps: OpsDeps,
  parts: (run: JobRun<A>) => JobParts<R>,
): Promise<number> {
  const started = startJob(spec, argv, deps);
  if ("code" in started) return started.code;
  const { args, lock, log } = started;
  try {
    const job = parts({ args, deps, log, startedAt: deps.now() });
    const interruption = new Interruption(deps.signals, log);
    interruption.install();
    let session: Session | undefined;
    let result: R;
    try {
      session = await openSession({
        job: spec.job,
        stackName: args.stack,
        workDir: args.workDir,
        log,
        interruption,
        deps,
      });
      result = await job.body(session);
    } catch (e) {
      result = job.failed(failureOf(e));
    } finally {
      interruption.dispose();
    }
    return await job.finish(result, session);
  } finally {
    lock.release();
  }
}
