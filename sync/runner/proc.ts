import { randomUUID } from "node:crypto";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type OutputOptions, type Place, type RunResult, type StopOptions, spawnInGroup, supervise } from "./supervise";

/**
 * The one way this project runs a command (sync steps, ops hooks, the tests' lab). argv only, never a
 * shell; each command leads a process group of its own, so a timeout stops what it started too.
 */

export { type Background, type BackgroundOptions, startBackground } from "./background";
export { type PipelineOptions, type PipelineResult, runPipeline } from "./pipeline";
export { stopChildrenOnSignals } from "./processGroup";
export type { RunResult } from "./supervise";

export interface RunOptions extends StopOptions, OutputOptions, Place {
  /** stdin; without it, stdin is empty (pipes) or /dev/null (ioDir). */
  input?: string | Buffer;
  /**
   * stdin/stdout/stderr as regular files in this directory instead of pipes (removed afterwards): a
   * script can then open /dev/stdin or /dev/stderr, and a daemon it starts, which inherits them, cannot
   * keep the call waiting. Output is read once the command has exited: no echo or chunk callbacks.
   */
  ioDir?: string;
}

/** Runs argv and resolves with how it ended; rejects only when it cannot be started. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return opts.ioDir === undefined ? runWithPipes(argv, opts) : runWithFiles(argv, opts, opts.ioDir);
}

export interface CheckedOptions extends RunOptions {
  /** Names the command in the error (default: the start of argv). */
  label?: string;
  /** Resolve on a non-zero exit too; a timeout or an abort still throws. */
  allowFail?: boolean;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `...${text.slice(-max)}` : text;
}

/** Like run, but throws a CommandError naming the command, with the tail of its stderr, unless it succeeded. */
export async function runChecked(argv: string[], opts: CheckedOptions = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  const label = opts.label ?? argv.join(" ").slice(0, 200);
  if (r.timedOut) throw new CommandError(`${label}: timed out after ${opts.timeoutMs} ms\n${tail(r.stderr)}`, r);
  if (r.aborted) throw new CommandError(`${label}: aborted\n${tail(r.stderr)}`, r);
  if (r.code !== 0 && !opts.allowFail) {
    const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
    throw new CommandError(`${label}: ${how}\n${tail(r.stderr.trim() || r.stdout.trim())}`, r);
  }
  return r;
}

async function runWithPipes(argv: string[], opts: RunOptions): Promise<RunResult> {
  const child = spawnInGroup(argv, ["pipe", "pipe", "pipe"], opts);
  const { result } = supervise(child, opts);
  child.stdin?.end(opts.input ?? "");
  return result;
}

async function runWithFiles(argv: string[], opts: RunOptions, ioDir: string): Promise<RunResult> {
  if (opts.echo || opts.onStdout || opts.onStderr) throw new Error("run: ioDir output is read at the end only");
  const base = join(ioDir, `${process.pid}-${randomUUID()}`);
  const fds: number[] = [];
  const open = (path: string, flags: string) => {
    const fd = openSync(path, flags);
    fds.push(fd);
    return fd;
  };
  try {
    let stdin: number | "ignore" = "ignore";
    if (opts.input !== undefined) {
      writeFileSync(`${base}.in`, opts.input);
      stdin = open(`${base}.in`, "r");
    }
    const stdio: [number | "ignore", number, number] = [stdin, open(`${base}.out`, "w"), open(`${base}.err`, "w")];
    const child = spawnInGroup(argv, stdio, opts);
    // The child has its own copies now.
    for (const fd of fds.splice(0)) closeSync(fd);
    const r = await supervise(child, opts).result;
    const [stdout, stderr] = await Promise.all([readFile(`${base}.out`, "utf8"), readFile(`${base}.err`, "utf8")]);
    return { ...r, stdout, stderr };
  } finally {
    for (const fd of fds) closeSync(fd);
    await Promise.all([".in", ".out", ".err"].map((ext) => rm(`${base}${ext}`, { force: true })));
  }
}
