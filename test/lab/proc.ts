import { spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  input?: string | Buffer;
  allowFail?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Scratch directory for the stdio files; without it, stdio goes through pipes. */
  ioDir?: string;
  /** Names the command in error messages. */
  label?: string;
}

/** What a root login shell gets: the lab must not leak the test runner's environment into the hosts. */
export const ROOT_ENV: NodeJS.ProcessEnv = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
  LANG: "C.UTF-8",
  SHELL: "/bin/bash",
};

export class CommandError extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

let ioCounter = 0;

/**
 * Runs argv and collects its output. With ioDir, stdin/stdout/stderr are regular files rather than the
 * socketpairs node uses for pipes, so `/dev/stdin` and `>/dev/stderr` work in scripts and daemons that
 * inherit stdout cannot keep the call waiting.
 */
export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("run: empty argv");
  const label = opts.label ?? argv.join(" ").slice(0, 200);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const env = opts.env ?? ROOT_ENV;
  const result = opts.ioDir
    ? await runWithFiles(cmd, args, env, timeoutMs, opts.ioDir, opts.input)
    : await runWithPipes(cmd, args, env, timeoutMs, opts.input);
  if (result.timedOut) {
    throw new CommandError(`${label}: timed out after ${timeoutMs} ms\n${tail(result.stderr)}`, result);
  }
  if (result.code !== 0 && !opts.allowFail) {
    const detail = result.stderr.trim() || result.stdout.trim();
    throw new CommandError(`${label}: exit code ${result.code}\n${tail(detail)}`, result);
  }
  return { stdout: result.stdout, stderr: result.stderr, code: result.code };
}

interface RawResult extends RunResult {
  timedOut: boolean;
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `...${text.slice(-max)}` : text;
}

async function runWithFiles(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  ioDir: string,
  input: string | Buffer | undefined,
): Promise<RawResult> {
  ioCounter += 1;
  const base = join(ioDir, `${process.pid}-${ioCounter}`);
  const fds: number[] = [];
  try {
    let stdin: number | "ignore" = "ignore";
    if (input !== undefined) {
      writeFileSync(`${base}.in`, input);
      stdin = openSync(`${base}.in`, "r");
      fds.push(stdin);
    }
    const out = openSync(`${base}.out`, "w");
    fds.push(out);
    const err = openSync(`${base}.err`, "w");
    fds.push(err);
    const { code, timedOut } = await waitForExit(cmd, args, env, timeoutMs, [stdin, out, err]);
    for (const fd of fds.splice(0)) closeSync(fd);
    const [stdout, stderr] = await Promise.all([readFile(`${base}.out`, "utf8"), readFile(`${base}.err`, "utf8")]);
    return { stdout, stderr, code, timedOut };
  } finally {
    for (const fd of fds) closeSync(fd);
    await Promise.all([".in", ".out", ".err"].map((ext) => rm(`${base}${ext}`, { force: true })));
  }
}

function waitForExit(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  stdio: [number | "ignore", number, number],
): Promise<{ code: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so a timeout can take down everything the command started.
    const child = spawn(cmd, args, { stdio, env, detached: true, cwd: "/" });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), timedOut });
    });
  });
}

function runWithPipes(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  input: string | Buffer | undefined,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env, detached: true, cwd: "/" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code: code ?? (signal ? 128 : 1),
        timedOut,
      });
    });
    child.stdin.on("error", () => {
      // The command may exit without reading its input; its exit status tells what happened.
    });
    child.stdin.end(input);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() returns true; throws with what() when the deadline passes. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Quotes a word for bash. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
