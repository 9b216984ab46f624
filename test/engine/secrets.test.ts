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

/**
 * The key's second base64 line, from its random part (the first line is the same header in every
 * key); one line, so it matches also where the key is kept as an escaped JSON string.
 */
function keyPiece(privateKey: string): string {
  return privateKey.split("\n")[2] ?? "";
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
    const latest = JSON.parse(state).checkpoint.latest;
    expect(latest.secrets_providers.type).toBe("passphrase");
    const stackOutputs = latest.resources.find((r: { type: string }) => r.type === "pulumi:pulumi:Stack").outputs;
    expect(Object.keys(stackOutputs.privateKey)).toContain("ciphertext");
    expect(keyPiece(privateKey)).toHaveLength(70);
    expect(state).not.toContain(keyPiece(privateKey));
    expect(state).not.toContain(e.passphrase);
    // `pulumi stack export` as a user runs it (the Automation API's exportStack adds --show-secrets).
    const exported = await e.cli(["stack", "export", "--stack", "engine"]);
    expect(exported).toContain("ciphertext");
    expect(exported).not.toContain(keyPiece(privateKey));
    expect(exported).not.toContain(e.passphrase);
    const printed = e.output.join("");
    expect(printed).toContain("[secret]");
    expect(printed).not.toContain(keyPiece(privateKey));
  }, 180_000);

  it("the Automation API's exportStack decrypts: whatever calls it holds the secrets in plain text", async () => {
    const exported = JSON.stringify(await e.stack.exportStack());
    expect(exported).toContain(keyPiece(privateKey));
  }, 120_000);

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
