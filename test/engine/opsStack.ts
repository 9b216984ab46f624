import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { engineEnv, type Toolchain } from "../toolchain/env";

const projectRoot = resolve(__dirname, "../..");

/** What index.ts exports in cold standby, as plain values (the test decides them). */
export interface StandbyOutputs {
  mode: string;
  recoveryPoint: string;
  floatingIp: string;
  hostKeyAlias: string;
  sshUser: string;
  expectedSyncMinutes: number;
  monthlyCost: Record<string, unknown>;
}

/**
 * A real stack `dev` of project `pra` for the ops jobs: the project's own Pulumi.yaml in a work
 * directory, state in a file backend of its own, secrets under a passphrase given in the environment
 * only. Its state is made by an inline program that registers the outputs index.ts exports (the
 * program itself needs the language host and the providers); its config is set through the real CLI.
 */
export interface OpsStack {
  workDir: string;
  backendUrl: string;
  /** The environment the jobs (and the CLI) run with: engine env, backend URL, passphrase. */
  env: Record<string, string>;
  stack: Stack;
  /** Runs the real CLI in the work directory; resolves with stdout, stderr and the exit code. */
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Every argv the jobs gave the CLI (through a logging wrapper around the real binary), in order. */
  commands(): string[][];
  /**
   * `up` of the inline program: the state then holds exactly these outputs. With `until`, the program
   * waits for it before returning, so the update stays in progress (and the stack locked) meanwhile.
   */
  publish(outputs: StandbyOutputs, until?: Promise<void>): Promise<void>;
  dispose(): void;
}

export async function opsStack(tc: Toolchain): Promise<OpsStack> {
  const base = mkdtempSync(join(tmpdir(), "pra-engine-ops-"));
  const workDir = join(base, "project");
  const backend = join(base, "state");
  mkdirSync(workDir);
  mkdirSync(backend);
  copyFileSync(join(projectRoot, "Pulumi.yaml"), join(workDir, "Pulumi.yaml"));
  const backendUrl = `file://${backend}`;
  // The jobs' CLI: a wrapper that logs its argv (one JSON line) and runs the real binary.
  const wrapperRoot = join(base, "pulumi");
  const argvLog = join(base, "argv.jsonl");
  mkdirSync(join(wrapperRoot, "bin"), { recursive: true });
  writeFileSync(argvLog, "");
  writeFileSync(
    join(wrapperRoot, "bin", "pulumi"),
    [
      "#!/usr/bin/env node",
      `require("node:fs").appendFileSync(${JSON.stringify(argvLog)}, JSON.stringify(process.argv.slice(2)) + "\\n");`,
      `const r = require("node:child_process").spawnSync(${JSON.stringify(join(tc.root, "bin", "pulumi"))}, process.argv.slice(2), { stdio: "inherit" });`,
      "process.exit(r.status ?? 1);",
      "",
    ].join("\n"),
  );
  chmodSync(join(wrapperRoot, "bin", "pulumi"), 0o755);
  const env = {
    ...engineEnv(tc),
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("base64url"),
    // The jobs find the CLI the same way the fake is found in test/ops.
    PRA_PULUMI_ROOT: wrapperRoot,
  };
  const pulumiCommand = await PulumiCommand.get({ root: tc.root, skipVersionCheck: true });
  let published: StandbyOutputs | undefined;
  let hold: Promise<void> | undefined;
  const stack = await LocalWorkspace.createOrSelectStack(
    {
      stackName: "dev",
      projectName: "pra",
      program: async () => {
        if (!published) throw new Error("opsStack: publish() first");
        await hold;
        const { monthlyCost, ...plain } = published;
        return { ...plain, monthlyCost: pulumi.output(monthlyCost) };
      },
    },
    { workDir, pulumiCommand, envVars: env },
  );
  const cli: OpsStack["cli"] = (args, input) =>
    new Promise((done) => {
      const child = execFile(
        join(tc.root, "bin", "pulumi"),
        args,
        { cwd: workDir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          done({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : 1) : 0 }),
      );
      child.stdin?.end(input ?? "");
    });
  return {
    workDir,
    backendUrl,
    env,
    stack,
    cli,
    commands: () =>
      readFileSync(argvLog, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    async publish(outputs, until) {
      published = outputs;
      hold = until;
      const up = await stack.up();
      if (up.summary.result !== "succeeded") throw new Error(`opsStack: up ${up.summary.result}`);
    },
    dispose: () => rmSync(base, { recursive: true, force: true }),
  };
}
