import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";

// The real engine's passphrase secrets provider, which the mocks never run: what `pulumi up` writes to
// the state file, what the CLI prints, and what another passphrase can read.
const tc = toolchain();
const unavailable = missing(tc, "cli");
if (unavailable) console.warn(`engine secrets tests skipped: ${unavailable}`);

function freshPrivateKey(): string {
  const dir = mkdtempSync(join(tmpdir(), "pra-key-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "k")]);
    return readFileSync(join(dir, "k"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The key's base64 body, the part that would show in any copy of it. */
function keyBody(privateKey: string): string {
  return privateKey.split("\n").slice(1, -2).join("");
}

describe.skipIf(unavailable)("the real engine keeps secrets encrypted (CLI only)", () => {
  const privateKey = freshPrivateKey();
  let e: EngineStack;

  beforeAll(async () => {
    e = await engineStack(tc, "pra-engine-secrets", async () => {
      const parent = new pulumi.ComponentResource("pra:test:Holder", "holder", {});
      return { privateKey: pulumi.secret(privateKey), owner: pulumi.output(parent.urn), plain: "visible" };
    });
  }, 120_000);
  afterAll(async () => e?.dispose());

  it("up stores the secret output as ciphertext: neither the key nor the passphrase is in the state file or the CLI's output", async () => {
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.privateKey).toEqual({ value: privateKey, secret: true });
    expect(up.outputs.plain).toEqual({ value: "visible", secret: false });
    const state = await e.stateText();
    expect(state).toContain("ciphertext");
    expect(state).toContain('"type": "passphrase"');
    expect(state).not.toContain(keyBody(privateKey).slice(0, 40));
    expect(state).not.toContain(e.passphrase);
    const exported = JSON.stringify(await e.stack.exportStack());
    expect(exported).not.toContain(keyBody(privateKey).slice(0, 40));
    expect(exported).not.toContain(e.passphrase);
    const printed = e.output.join("");
    expect(printed).toContain("[secret]");
    expect(printed).not.toContain(keyBody(privateKey).slice(0, 40));
  }, 180_000);

  it("a second preview of the same program plans no change", async () => {
    const preview = await e.stack.preview({ onOutput: e.onOutput });
    expect(Object.keys(preview.changeSummary).sort()).toEqual(["same"]);
  }, 180_000);

  it("another passphrase cannot read the outputs", async () => {
    const other = await LocalWorkspace.selectStack(
      { stackName: "engine", workDir: e.stack.workspace.workDir },
      {
        pulumiCommand: (e.stack.workspace as LocalWorkspace).pulumiCommand,
        envVars: { ...(e.stack.workspace as LocalWorkspace).envVars, PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" },
      },
    );
    await expect(other.outputs()).rejects.toThrow(/passphrase/i);
  }, 120_000);

  it("destroy removes every resource from the state", async () => {
    const destroy = await e.stack.destroy({ onOutput: e.onOutput });
    expect(destroy.summary.result).toBe("succeeded");
    const state = JSON.parse(await e.stateText());
    expect(state.checkpoint.latest.resources ?? []).toEqual([]);
  }, 180_000);
});
