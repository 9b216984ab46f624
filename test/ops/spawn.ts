import { join } from "node:path";
import { type Background, startBackground } from "../../sync/runner/proc";
import type { Fixture } from "./fixture";
import { projectRoot } from "./fixture";

export interface Running {
  /** Sends a signal to the job's own process (not its group), as systemd or a Ctrl-C would reach it. */
  signal: Background["signal"];
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number>;
}

/** Starts `job` (nightly | drill) as its own node process against the fixture's `pulumi` (root/bin/pulumi). */
export function startJob(
  fx: Pick<Fixture, "workDir" | "root">,
  job: "nightly" | "drill",
  args: string[],
  env: Record<string, string> = {},
): Running {
  let text = "";
  const keep = (chunk: string) => {
    text += chunk;
  };
  const running = startBackground(
    [
      process.execPath,
      "--import",
      "tsx",
      join(projectRoot, "test/ops/entry.ts"),
      job,
      "--stack",
      "dev",
      "--work-dir",
      fx.workDir,
      ...args,
    ],
    { cwd: projectRoot, env: { ...process.env, PRA_PULUMI_ROOT: fx.root, ...env }, onStdout: keep, onStderr: keep },
  );
  return { signal: (sig) => running.signal(sig), output: () => text, exited: running.exited.then((r) => r.code) };
}

/** Polls until `check` holds (the fake's log is written by another process). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
