import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { killGroup, track, untrack } from "./processGroup";

export interface RunResult {
  /** The exit code; 128 + the signal's number when a signal ended the command, as a shell reports it. */
  code: number;
  /** The signal that ended the command, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Stopped because timeoutMs passed. */
  timedOut: boolean;
  /** Stopped because the AbortSignal fired. */
  aborted: boolean;
}

export interface StopOptions {
  /** Stop the command's whole process group after this many ms. */
  timeoutMs?: number;
  /** Stop the command's whole process group when this fires. */
  signal?: AbortSignal;
  /** From SIGTERM to SIGKILL when the group is stopped; 0 sends SIGKILL at once. */
  killGraceMs?: number;
  /**
   * Once the command has exited, how long to wait for its pipes to close: a process it left behind
   * (a daemon, `cmd &`) may hold them open for ever. After that, our ends are closed.
   */
  pipeGraceMs?: number;
}

export interface OutputOptions {
  /** Echo the output to this process's stdout/stderr as it comes (progress in the Pulumi log). */
  echo?: boolean;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export const DEFAULT_KILL_GRACE_MS = 3000;
export const DEFAULT_PIPE_GRACE_MS = 500;

export interface Supervised {
  /** Undefined when the command could not be started (result then rejects). */
  readonly pid: number | undefined;
  /** Settles once the command has exited, its pipes are closed (or given up on) and any stop is done. */
  readonly result: Promise<RunResult>;
  /** True once the command itself has exited (or failed to start). */
  readonly exited: boolean;
  /** Stops the whole group (SIGTERM, SIGKILL after the grace); resolves when that is done. */
  stop(): Promise<void>;
}

export interface Place {
  /** The whole environment; default: this process's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The project's one call of spawn: argv without a shell, as the leader of a process group of its own
 * (so that stopping it stops what it started, and nothing else). Supervise what it returns.
 */
export function spawnInGroup(argv: string[], stdio: StdioOptions, place: Place = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("spawn: empty argv");
  return spawn(cmd, args, { stdio, env: place.env, cwd: place.cwd, detached: true });
}

function listen(stream: Readable | null, keep: (chunk: string) => void): void {
  // A stream already handed to another process (a pipeline's producer) is not ours to read.
  if (!stream || stream.destroyed) return;
  stream.setEncoding("utf8");
  stream.on("data", keep);
}

function closedWithin(closed: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([closed, grace]).finally(() => clearTimeout(timer));
}

/**
 * Watches a child from spawnInGroup: collects its output, stops its group on timeout or abort, and
 * reports how it ended.
 */
export function supervise(child: ChildProcess, opts: StopOptions & OutputOptions): Supervised {
  const pgid = child.pid;
  let stdout = "";
  let stderr = "";
  listen(child.stdout, (chunk) => {
    stdout += chunk;
    if (opts.echo) process.stdout.write(chunk);
    opts.onStdout?.(chunk);
  });
  listen(child.stderr, (chunk) => {
    stderr += chunk;
    if (opts.echo) process.stderr.write(chunk);
    opts.onStderr?.(chunk);
  });
  // A command may exit without reading its input: its exit status tells what happened, not EPIPE.
  child.stdin?.on("error", () => {});

  let timedOut = false;
  let aborted = false;
  let exited = false;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (pgid === undefined) return Promise.resolve();
    stopping ??= killGroup(pgid, opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    return stopping;
  };
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void stop();
        }, opts.timeoutMs);
  const onAbort = () => {
    aborted = true;
    void stop();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  const settle = () => {
    exited = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  };
  if (pgid !== undefined) track(pgid);

  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const result = new Promise<RunResult>((resolve, reject) => {
    child.once("error", (e) => {
      if (exited) return;
      settle();
      if (pgid !== undefined) untrack(pgid);
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      reject(e);
    });
    child.once("exit", (code, signal) => {
      settle();
      void (async () => {
        await closedWithin(closed, opts.pipeGraceMs ?? DEFAULT_PIPE_GRACE_MS);
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
        await stopping;
        if (pgid !== undefined) untrack(pgid);
        const byNumber = signal ? 128 + constants.signals[signal] : 1;
        resolve({ code: code ?? byNumber, signal, stdout, stderr, timedOut, aborted });
      })();
    });
  });
  return {
    pid: pgid,
    result,
    get exited() {
      return exited;
    },
    stop,
  };
}
