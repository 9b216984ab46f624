import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";
import { Marker } from "./marker";

// The resource options the components rely on, applied by the real engine (the mocks record them but
// never apply them): protect (the data volume, image, network, host key), retainOnDelete (the data
// volume), ignoreChanges (the recovery point), deletedWith (the steps on a deleted instance). The
// resources are files made by the SDK's own dynamic provider (./marker.ts).
const tc = toolchain();
const unavailable = missing(tc, "cli");
if (unavailable) console.warn(`engine resource option tests skipped: ${unavailable}`);

describe.skipIf(unavailable)("resource options on the real engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "pra-markers-"));
  let stage: "all" | "changed" | "instance-gone" | "volume-gone" = "all";
  let e: EngineStack;
  const files = () => readdirSync(dir).sort();

  beforeAll(async () => {
    e = await engineStack(tc, "pra-engine-options", async () => {
      const value = stage === "all" ? "1" : "2";
      new Marker("protected", dir, "p", { protect: true });
      if (stage !== "volume-gone") new Marker("volume", dir, "v", { retainOnDelete: true });
      new Marker("record", dir, value, { ignoreChanges: ["value"] });
      new Marker("plain", dir, value);
      if (stage === "all" || stage === "changed") {
        const instance = new Marker("instance", dir, "i");
        new Marker("step", dir, "s", { deletedWith: instance });
      }
      return {};
    });
  }, 120_000);
  afterAll(async () => {
    await e?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("up creates every resource through the provider", async () => {
    await e.stack.up({ onOutput: e.onOutput });
    expect(files()).toEqual(["instance", "plain", "protected", "record", "step", "volume"]);
  }, 300_000);

  it("ignoreChanges keeps the old input while the same change replaces a resource without it", async () => {
    const up = await e.stack.up({ onOutput: e.onOutput });
    expect(up.summary.resourceChanges?.replace).toBeUndefined();
    stage = "changed";
    const changed = await e.stack.up({ onOutput: e.onOutput });
    expect(changed.summary.resourceChanges?.replace).toBe(1);
    const state = JSON.parse(await e.cli(["stack", "export", "--stack", "engine"]));
    const storedValue = (name: string) =>
      state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith(`::${name}`)).outputs.value;
    expect(storedValue("record")).toBe("1");
    expect(storedValue("plain")).toBe("2");
  }, 300_000);

  it("deletedWith: deleting the instance deletes the step with it, without asking the provider", async () => {
    stage = "instance-gone";
    await e.stack.up({ onOutput: e.onOutput });
    expect(files()).toEqual(["plain", "protected", "record", "step", "volume"]);
  }, 300_000);

  it("retainOnDelete: the volume leaves the stack but the provider never deletes it", async () => {
    stage = "volume-gone";
    await e.stack.up({ onOutput: e.onOutput });
    expect(files()).toContain("volume");
    const state = JSON.parse(await e.cli(["stack", "export", "--stack", "engine"]));
    expect(state.deployment.resources.some((r: { urn: string }) => r.urn.endsWith("::volume"))).toBe(false);
  }, 300_000);

  it("protect: destroy refuses and deletes nothing", async () => {
    await expect(e.stack.destroy({ onOutput: e.onOutput })).rejects.toThrow(/protected/);
    expect(files()).toContain("protected");
  }, 300_000);
});
