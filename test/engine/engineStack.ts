import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { engineEnv, type Toolchain } from "../toolchain/env";

/** A stack of an inline program on the real CLI, with its state in a file backend of its own. */
export interface EngineStack {
  stack: Stack;
  /** The passphrase that encrypts the stack's secrets; given to the CLI in its environment only. */
  passphrase: string;
  /** Everything the CLI printed through `onOutput`, for checks that no secret was shown. */
  output: string[];
  onOutput: (text: string) => void;
  /** Runs the real CLI in the stack's project directory, the passphrase in its environment; returns stdout. */
  cli(args: string[]): Promise<string>;
  /** The state file's text as the backend keeps it on disk. */
  stateText(): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * Runs `program` the way ops/ runs the project: the Automation API driving the real `pulumi` CLI, here
 * with an inline program (so the test's own values never pass through argv) and a local file backend
 * in a temporary directory.
 */
export async function engineStack(
  tc: Toolchain,
  project: string,
  program: PulumiFn,
  /** More environment for the CLI and the plugins it starts (e.g. an openrc's OS_* variables). */
  env: Record<string, string> = {},
): Promise<EngineStack> {
  const dir = await mkdtemp(join(tmpdir(), "pra-engine-"));
  const backend = join(dir, "state");
  await mkdir(backend);
  await mkdir(join(dir, "project"));
  const passphrase = randomBytes(24).toString("base64url");
  const output: string[] = [];
  const pulumiCommand = await PulumiCommand.get({ root: tc.root, skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "engine", projectName: project, program },
    {
      workDir: join(dir, "project"),
      pulumiCommand,
      projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${backend}` } },
      envVars: { ...env, ...engineEnv(tc), PULUMI_CONFIG_PASSPHRASE: passphrase },
    },
  );
  return {
    stack,
    passphrase,
    output,
    onOutput: (text) => output.push(text),
    cli: async (args) => {
      const { stdout } = await promisify(execFile)(join(tc.root, "bin", "pulumi"), args, {
        cwd: join(dir, "project"),
        env: { ...process.env, ...env, ...engineEnv(tc), PULUMI_CONFIG_PASSPHRASE: passphrase },
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout;
    },
    stateText: async () => {
      const files = await readdir(backend, { recursive: true });
      const state = files.find((f) => f.endsWith(`${project}/engine.json`));
      if (!state) throw new Error(`no state file for ${project}/engine under ${backend}: ${files.join(", ")}`);
      return readFile(join(backend, state), "utf8");
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
