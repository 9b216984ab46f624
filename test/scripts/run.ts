import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

export interface ScriptResult {
  code: number | null;
  /** Set when the script died of a signal (a fault point SIGKILLs its own process group). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp dir removed after the test file. */
export function workDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pra-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs a rendered script with bash, as its own process group leader (detached): a fault point kills
 * its whole group, which must not be the test runner's.
 */
export function runScript(
  script: string,
  args: string[] = [],
  opts: { env?: Record<string, string>; input?: string; dir?: string } = {},
): Promise<ScriptResult> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "pra-script-"));
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  return new Promise((done, fail) => {
    const child = spawn("bash", [file, ...args], {
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      rmSync(file, { force: true });
      done({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs bash code that sources lib files of sync/scripts/lib directly (they are plain bash). */
export function runLib(
  libs: string[],
  code: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ScriptResult> {
  const sources = libs.map((l) => `source ${join(__dirname, "../../sync/scripts/lib", l)}`).join("\n");
  return runScript(`set -euo pipefail\nPRA_TAG=pra-test\nPRA_SCRIPT=test\n${sources}\n${code}\n`, args, { env });
}

/**
 * A directory of fake commands put first on PATH: each logs its argv (one file per call, NUL-separated),
 * then runs `behaviour` (bash, which may keep more of the call in "$call.<what>" files). Returns the
 * PATH value and a reader of the calls.
 */
export function fakeCommands(dir: string, commands: Record<string, string>) {
  const bin = join(dir, "fake-bin");
  const log = join(dir, "fake-log");
  mkdirSync(bin, { recursive: true });
  mkdirSync(log, { recursive: true });
  for (const [name, behaviour] of Object.entries(commands)) {
    writeFileSync(
      join(bin, name),
      `#!/bin/bash
n=$(ls ${log} | wc -l)
call=${log}/$(printf %03d "$n")-${name}
printf '%s\\0' "$@" > "$call.argv"
${behaviour}
`,
    );
    chmodSync(join(bin, name), 0o755);
  }
  return {
    path: `${bin}:${process.env.PATH}`,
    /** Every call in order; `file` is the path prefix its behaviour wrote to ($call: "$call.stdin" ...). */
    calls(): { command: string; argv: string[]; file: string }[] {
      return readdirSync(log)
        .sort()
        .filter((f) => f.endsWith(".argv"))
        .map((f) => ({
          command: f.replace(/^\d+-/, "").replace(/\.argv$/, ""),
          argv: readFileSync(join(log, f), "utf8").split("\0").slice(0, -1),
          file: join(log, f.replace(/\.argv$/, "")),
        }));
    },
  };
}
