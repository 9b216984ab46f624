import * as command from "@pulumi/command";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecoveryPoint } from "../../components/recoveryPoint";
import { StandbyKeys } from "../../components/sshKeys";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";

// The project's components that need no cloud, on the real engine with the real tls and command
// providers: what the mocks and test/labEngine.ts only imitate (secrets in state, ignoreChanges,
// replacement on triggers, protect).
const tc = toolchain();
const unavailable = missing(tc, "cli", "plugin-tls", "plugin-command");
if (unavailable) console.warn(`engine component tests skipped: ${unavailable}`);

/** What one `up` is given: the record to keep (undefined: a run without a sync) and the trigger. */
interface Run {
  record?: string;
  trigger: string;
}

describe.skipIf(unavailable)("the project's components on the real engine", () => {
  let run: Run = { record: '{"generation":1}', trigger: "night-1" };
  let e: EngineStack;

  beforeAll(async () => {
    e = await engineStack(tc, "pra-engine-components", async () => {
      const keys = new StandbyKeys("standby");
      const point = new RecoveryPoint("recovery", { record: run.record });
      // The sync's steps rely on a new trigger replacing a command (it runs again) and an old one not.
      const step = new command.local.Command("step", {
        create: "od -An -N8 -tx8 /dev/urandom",
        triggers: [run.trigger],
      });
      return {
        hostPublicKey: keys.hostPublicKey,
        hostPrivateKey: keys.hostPrivateKey,
        clientPrivateKey: keys.clientPrivateKey,
        recoveryPoint: point.record,
        stepRun: step.stdout,
      };
    });
  }, 120_000);
  afterAll(async () => e?.dispose());

  it("the generated private keys are secret outputs, never plain text in the state or the CLI output", async () => {
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.outputs.hostPublicKey.value).toMatch(/^ssh-ed25519 \S+$/);
    expect(up.outputs.hostPrivateKey.secret).toBe(true);
    expect(up.outputs.clientPrivateKey.secret).toBe(true);
    // A line from the keys' random part (the first base64 line is the same header in every key).
    const body = (k: string) => k.split("\n")[2] ?? "";
    const hostKeyLine = body(up.outputs.hostPrivateKey.value);
    const clientKeyLine = body(up.outputs.clientPrivateKey.value);
    expect(hostKeyLine.length).toBeGreaterThan(20);
    for (const text of [await e.stateText(), JSON.stringify(await e.stack.exportStack()), e.output.join("")]) {
      expect(text).not.toContain(hostKeyLine);
      expect(text).not.toContain(clientKeyLine);
      expect(text).not.toContain(e.passphrase);
    }
    expect(up.outputs.recoveryPoint.value).toBe('{"generation":1}');
  }, 300_000);

  it("a run without a sync keeps the stored recovery point (ignoreChanges), and the same trigger runs no step", async () => {
    const before = await e.stack.outputs();
    run = { record: undefined, trigger: "night-1" };
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.outputs.recoveryPoint.value).toBe('{"generation":1}');
    expect(up.outputs.stepRun.value).toBe(before.stepRun.value);
    expect(up.outputs.hostPublicKey.value).toBe(before.hostPublicKey.value);
  }, 300_000);

  it("a new trigger replaces the step, which runs again; a new record is kept instead of the old one", async () => {
    const before = await e.stack.outputs();
    run = { record: '{"generation":2}', trigger: "night-2" };
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.outputs.stepRun.value).not.toBe(before.stepRun.value);
    expect(up.outputs.recoveryPoint.value).toBe('{"generation":2}');
    expect(up.outputs.hostPublicKey.value).toBe(before.hostPublicKey.value);
  }, 300_000);

  it("destroy refuses while the host key is protected", async () => {
    await expect(e.stack.destroy({ onOutput: e.onOutput })).rejects.toThrow(/protected/);
  }, 300_000);
});
