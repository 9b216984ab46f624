import { CommandError, runChecked } from "../../sync/runner/proc";

export { CommandError };

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

/**
 * The lab's defaults for sync/runner/proc's runChecked: root's environment, cwd /, a 120 s timeout,
 * and a CommandError on a non-zero exit unless allowFail (always on a timeout). With ioDir, stdio are
 * regular files: `/dev/stdin` works in scripts and daemons that inherit stdout cannot keep the call waiting.
 */
export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { stdout, stderr, code } = await runChecked(argv, {
    input: opts.input,
    allowFail: opts.allowFail,
    timeoutMs: opts.timeoutMs ?? 120_000,
    env: opts.env ?? ROOT_ENV,
    cwd: "/",
    ioDir: opts.ioDir,
    label: opts.label,
  });
  return { stdout, stderr, code };
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
