import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OpsError } from "../../ops/exitCodes";
import { openStack } from "../../ops/workspace";
import { engineEnv, missing, toolchain } from "../toolchain/env";

// ops/ opens the user's stack through the Automation API; here with the real CLI instead of the fake
// one of test/ops/, whose stderr for an unknown stack is an imitation of the CLI's.
const tc = toolchain();
const unavailable = missing(tc, "cli");
if (unavailable) console.warn(`engine openStack tests skipped: ${unavailable}`);

describe.skipIf(unavailable)("ops' openStack on the real CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "pra-openstack-"));
  const workDir = join(dir, "project");
  const env = {
    ...engineEnv(tc),
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
  };
  const lines: string[] = [];
  const open = (stackName: string) => openStack({ stackName, workDir, pulumiRoot: tc.root, log: (l) => lines.push(l) });

  beforeAll(async () => {
    mkdirSync(workDir);
    mkdirSync(join(dir, "state"));
    copyFileSync(resolve(__dirname, "../../Pulumi.yaml"), join(workDir, "Pulumi.yaml"));
    for (const stack of ["dev", "prod"]) writeFileSync(join(workDir, `Pulumi.${stack}.yaml`), "config: {}\n");
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    await promisify(execFile)(join(tc.root, "bin", "pulumi"), ["stack", "init", "dev", "--non-interactive"], {
      cwd: workDir,
      env: { ...process.env, ...env },
    });
  }, 120_000);
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it("selects an existing stack, with no warning about the CLI's version", async () => {
    const stack = await open("dev");
    expect(stack.name).toBe("dev");
    expect(lines).toEqual([]);
  }, 120_000);

  it("a stack the backend does not know is a usage error naming scripts/up, and no stack is created", async () => {
    const failure = await open("prod").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpsError);
    expect((failure as Error).message).toBe("no stack prod in the backend: run scripts/up prod first");
    const { stdout } = await promisify(execFile)(join(tc.root, "bin", "pulumi"), ["stack", "ls", "--json"], {
      cwd: workDir,
      env: { ...process.env, ...env },
    });
    expect((JSON.parse(stdout) as { name: string }[]).map((s) => s.name)).toEqual(["dev"]);
  }, 120_000);
});
