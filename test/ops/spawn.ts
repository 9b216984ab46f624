import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Fixture } from "./fixture";
import { projectRoot } from "./fixture";

export interface Running {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `job` (nightly | drill) as its own node process against the fixture's fake pulumi. */
export function startJob(
  fx: Fixture,
  job: "nightly" | "drill",
  args: string[],
  env: Record<string, string> = {},
): Running {
  const child = spawn(
    process.execPath,
    [
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
    {
      cwd: projectRoot,
      env: { ...process.env, PRA_PULUMI_ROOT: fx.root, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let text = "";
  child.stdout?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Polls until `check` holds (the fake's log is written by another process). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
