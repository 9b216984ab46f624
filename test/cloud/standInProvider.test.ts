import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProgram, validConfig } from "../harness";
import { Client } from "./client";
import { type StandInCloud, startCloud } from "./cloud";
import { StandInProvider } from "./standInProvider";

/**
 * The provider stand-in and its engine state, on the API alone (no guests, no commands run): fast. What
 * the program declares in each mode is made, kept, and deleted as an `up` would; booted.test.ts does the
 * same with real guests and the program's steps.
 */
let cloud: StandInCloud;
let api: Client;
let provider: StandInProvider;

beforeEach(async () => {
  cloud = await startCloud({ images: [{ name: "debian-12-pra", file: "/nonexistent", size: 2_000_000_000 }] });
  api = await Client.login(cloud);
  provider = new StandInProvider(api);
});

afterEach(async () => {
  await cloud.close();
});

async function up(more: Record<string, string>) {
  provider.beginRun();
  const result = await runProgram(
    {
      ...validConfig,
      networkName: "pra-tenant",
      floatingIpPool: "public",
      flavorName: "m1.small",
      imageName: "debian-12-pra",
      ...more,
    },
    { hooks: provider.hooks(), calls: provider.calls() },
  );
  await provider.endRun();
  return result;
}

const list = async (url: string, key: string) => (await api.call("GET", url)).body[key] as Record<string, unknown>[];

describe("the openstack provider stand-in, run by the program", () => {
  it("standby makes the permanent resources; failover adds the server and web rules; back to standby removes both", async () => {
    const standby = await up({});
    const address = String(standby.outputs.floatingIp);
    expect(address).toMatch(/^10\.233\.0\.\d+$/);
    expect(await list(`${api.nova}/servers/detail`, "servers")).toEqual([]);
    expect((await list(`${api.cinder}/volumes/detail`, "volumes")).map((v) => v.status)).toEqual(["available"]);
    const rules = async () =>
      (await list(`${api.neutron}/security-group-rules`, "security_group_rules")).filter(
        (r) => r.direction === "ingress",
      );
    expect((await rules()).map((r) => r.port_range_min)).toEqual([22, 22]);

    const active = await up({ praActive: "true" });
    expect(active.outputs.floatingIp).toBe(address);
    const servers = await list(`${api.nova}/servers/detail`, "servers");
    expect(servers.map((s) => s.status)).toEqual(["ACTIVE"]);
    expect((await list(`${api.cinder}/volumes/detail`, "volumes")).map((v) => v.status)).toEqual(["in-use"]);
    expect((await rules()).map((r) => r.port_range_min).sort()).toEqual([22, 22, 443, 443, 80, 80]);
    const fip = (await list(`${api.neutron}/floatingips`, "floatingips"))[0];
    expect(fip.port_id).toBeTruthy();

    // An unchanged run touches nothing.
    const before = provider.history.length;
    await up({ praActive: "true" });
    expect(provider.history.length).toBe(before);

    await up({});
    expect(await list(`${api.nova}/servers/detail`, "servers")).toEqual([]);
    expect((await list(`${api.cinder}/volumes/detail`, "volumes")).map((v) => v.status)).toEqual(["available"]);
    expect((await rules()).map((r) => r.port_range_min)).toEqual([22, 22]);
    expect((await list(`${api.neutron}/floatingips`, "floatingips"))[0].port_id).toBeNull();
    // The engine orders only dependents before what they depend on: the association before the server.
    const deleted = provider.history.slice(before);
    expect([...deleted].sort()).toEqual([
      "delete openstack:compute/instance:Instance pra-standby-server",
      "delete openstack:networking/floatingIpAssociate:FloatingIpAssociate pra-standby-fip-assoc",
      "delete openstack:networking/secGroupRule:SecGroupRule pra-net-http-ipv4",
      "delete openstack:networking/secGroupRule:SecGroupRule pra-net-http-ipv6",
      "delete openstack:networking/secGroupRule:SecGroupRule pra-net-https-ipv4",
      "delete openstack:networking/secGroupRule:SecGroupRule pra-net-https-ipv6",
    ]);
    expect(deleted.findIndex((d) => d.includes("fip-assoc"))).toBeLessThan(
      deleted.findIndex((d) => d.includes("standby-server")),
    );
    expect(cloud.unknownCalls).toEqual([]);
  });

  it("refuses to delete a protected resource, as the engine does", async () => {
    await up({});
    provider.beginRun();
    await expect(provider.endRun()).rejects.toThrow(/protected/);
  });
});
