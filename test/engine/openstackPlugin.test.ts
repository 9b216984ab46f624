import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as openstack from "@pulumi/openstack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineEnv, missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";

// The openstack provider the program pins is the one the engine loads, and it answers for itself: a
// cloud that is not there fails with the provider's own error, not with a missing plugin.
const tc = toolchain();
const unavailable = missing(tc, "cli", "plugin-openstack");
if (unavailable) console.warn(`engine openstack plugin tests skipped: ${unavailable}`);
const pinned = tc.components["plugin-openstack"]?.version;

describe.skipIf(unavailable)("the openstack plugin on the real engine", () => {
  let e: EngineStack;

  beforeAll(async () => {
    e = await engineStack(tc, "pra-engine-openstack", async () => {
      // A closed port on loopback: nothing listens on the discard port here.
      const cloud = new openstack.Provider("closed", {
        authUrl: "http://127.0.0.1:9/v3",
        userName: "nobody",
        password: "unused",
        tenantName: "none",
        region: "RegionOne",
      });
      new openstack.blockstorage.Volume("v", { size: 1 }, { provider: cloud });
      return {};
    });
  }, 120_000);
  afterAll(async () => e?.dispose());

  it("pulumi plugin ls under the private PULUMI_HOME lists openstack at the pinned version", async () => {
    const { stdout } = await promisify(execFile)("pulumi", ["plugin", "ls", "--json"], {
      env: { ...process.env, ...engineEnv(tc) },
    });
    const plugins = JSON.parse(stdout) as { name: string; kind: string; version: string }[];
    expect(plugins).toContainEqual(expect.objectContaining({ name: "openstack", kind: "resource", version: pinned }));
  }, 60_000);

  // The provider authenticates at its first API call (terraform-provider-openstack's delayed_auth, on by
  // default), not when it is configured: a preview of resources alone never reaches the cloud.
  it("a preview of resources alone reaches no cloud: it plans the volume", async () => {
    const preview = await e.stack.preview({ onOutput: e.onOutput });
    expect(preview.changeSummary.create).toBe(3);
  }, 300_000);

  it("an up against a closed port fails with the provider's own connection error, and creates no volume", async () => {
    const failure = e.stack.up({ onOutput: e.onOutput });
    await expect(failure).rejects.toThrow(/127\.0\.0\.1:9/);
    await expect(failure).rejects.not.toThrow(/no resource plugin|could not find plugin|plugin.*not found/i);
    const { deployment } = await e.stack.exportStack();
    const types = (deployment.resources ?? []).map((r: { type: string }) => r.type);
    expect(types).not.toContain("openstack:blockstorage/volume:Volume");
  }, 300_000);
});
