import { existsSync } from "node:fs";
import { join } from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicKeyBody } from "../../sync/knownHosts";
import { newEd25519Key } from "../lab/keys";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";
import { type LoopbackSshd, startLoopbackSshd } from "./loopbackSshd";

// The real command provider's remote.Command (its own Go SSH client, not OpenSSH as test/labEngine.ts
// uses) against a real sshd, with the host key pinned the way components/steps.ts pins the standby's.
const tc = toolchain();
const unavailable = missing(tc, "cli", "plugin-command");
if (unavailable) console.warn(`engine remote.Command tests skipped: ${unavailable}`);

describe.skipIf(unavailable)("remote.Command of the real command provider against a loopback sshd", () => {
  let sshd: LoopbackSshd;
  let pinnedKey = "";
  let marker = "";
  let e: EngineStack;

  beforeAll(async () => {
    sshd = await startLoopbackSshd();
    e = await engineStack(tc, "pra-engine-remote", async () => {
      const step = new command.remote.Command("step", {
        connection: {
          host: "127.0.0.1",
          port: sshd.port,
          user: "root",
          privateKey: pulumi.secret(sshd.clientKey.privateKey),
          hostKey: pinnedKey,
          dialErrorLimit: 2,
          perDialTimeout: 5,
        },
        create: `touch ${marker} && echo ran on "$(hostname)"`,
        triggers: [marker],
      });
      return { stdout: step.stdout };
    });
  }, 120_000);
  afterAll(async () => {
    await e?.dispose();
    await sshd?.stop();
  });

  it("runs the command over SSH when the pinned host key is the server's", async () => {
    pinnedKey = publicKeyBody(sshd.hostKey.publicKey);
    marker = join(sshd.dir, "ran-with-right-key");
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.outputs.stdout.value).toMatch(/^ran on /);
    expect(existsSync(marker)).toBe(true);
    expect(e.output.join("")).not.toContain(sshd.clientKey.privateKey.split("\n")[2]);
  }, 300_000);

  it("refuses a server whose host key is not the pinned one before the command runs", async () => {
    pinnedKey = publicKeyBody((await newEd25519Key(sshd.dir, "other")).publicKey);
    marker = join(sshd.dir, "ran-with-wrong-key");
    await expect(e.stack.up({ onOutput: e.onOutput })).rejects.toThrow(/host key|handshake/i);
    expect(existsSync(marker)).toBe(false);
  }, 300_000);
});
