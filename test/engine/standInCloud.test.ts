import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataVolume } from "../../components/dataVolume";
import { StandbyImage } from "../../components/image";
import { StandbyNetwork } from "../../components/network";
import { StandbyInstance } from "../../components/standbyInstance";
import { Client } from "../cloud/client";
import { type StandInCloud, startCloud } from "../cloud/cloud";
import { missing, toolchain } from "../toolchain/env";
import { type EngineStack, engineStack } from "./engineStack";

// The program's own openstack components, run by the real engine with the openstack plugin the toolchain
// provides (test/toolchain/: built by PRA through the Terraform bridge while pulumi-openstack's module is
// refused) against the stand-in cloud's API (test/cloud/, no guests: a server's statuses move, no VM boots).
// What test/cloud/standInProvider.ts imitates under the mocks, done by the real provider's calls.
const tc = toolchain();
const unavailable = missing(tc, "cli", "plugin-openstack");
if (unavailable) console.warn(`engine stand-in cloud tests skipped: ${unavailable}`);

const IMAGE = "debian-12-pra";
// Stands for the host's private key that the program's user data carries: it must reach the server only.
const SECRET = randomBytes(16).toString("hex");
const USER_DATA = `#cloud-config\nwrite_files: [{path: /etc/pra-marker, content: ${SECRET}}]\n`;

describe.skipIf(unavailable)(
  "the program's openstack components on the real engine, against the stand-in cloud",
  () => {
    let cloud: StandInCloud;
    let api: Client;
    let e: EngineStack;
    let active = false;
    let sizeGb = 1;

    beforeAll(async () => {
      cloud = await startCloud({ images: [{ name: IMAGE, file: "/nonexistent", size: 2_000_000_000 }] });
      api = await Client.login(cloud);
      e = await engineStack(
        tc,
        "pra-engine-standin",
        async () => {
          // As index.ts composes them, with plain values where the program has keys and scripts.
          const image = new StandbyImage("pra-image", { source: { kind: "name", name: IMAGE } });
          const volume = new DataVolume("pra-data", { sizeGb });
          const network = new StandbyNetwork("pra-net", {
            networkName: "pra-tenant",
            floatingIpPool: "public",
            adminCidrs: ["192.0.2.0/24", "2001:db8::/32"],
            webOpen: active,
          });
          const instance = active
            ? new StandbyInstance("pra-standby", {
                imageId: image.imageId,
                volumeId: volume.volumeId,
                portId: network.portId,
                floatingIpAddress: network.floatingIpAddress,
                flavorName: "m1.small",
                userData: USER_DATA,
              })
            : undefined;
          return { floatingIp: network.floatingIpAddress, volumeId: volume.volumeId, instanceId: instance?.instanceId };
        },
        cloud.openrc(),
      );
    }, 120_000);
    afterAll(async () => {
      await e?.dispose();
      await cloud?.close();
    });

    const list = async (service: string, path: string, key: string) =>
      (await api.call("GET", `${service}${path}`)).body[key] as Record<string, unknown>[];
    const ingressPorts = async () =>
      (await list(api.neutron, "/security-group-rules", "security_group_rules"))
        .filter((r) => r.direction === "ingress")
        .map((r) => r.port_range_min)
        .sort();

    it("standby: image looked up; volume, security group with the SSH rules, port and floating IP made; no server", async () => {
      const up = await e.stack.up({ onOutput: e.onOutput });
      expect(String(up.outputs.floatingIp.value)).toMatch(/^10\.233\.0\.\d+$/);
      expect(await list(api.nova, "/servers/detail", "servers")).toEqual([]);
      const volumes = await list(api.cinder, "/volumes/detail", "volumes");
      expect(volumes.map((v) => [v.id, v.status, v.size])).toEqual([[up.outputs.volumeId.value, "available", 1]]);
      expect(await ingressPorts()).toEqual([22, 22]);
      expect((await list(api.neutron, "/ports", "ports")).map((p) => p.name)).toEqual(["pra-net-port"]);
      expect(cloud.unknownCalls).toEqual([]);
    }, 600_000);

    it("active: a server boots with the volume attached at boot, the floating IP is associated, web rules exist only now", async () => {
      active = true;
      const up = await e.stack.up({ onOutput: e.onOutput });
      const servers = await list(api.nova, "/servers/detail", "servers");
      expect(servers.map((s) => [s.id, s.status])).toEqual([[up.outputs.instanceId.value, "ACTIVE"]]);
      const server = cloud.store.servers.get(String(up.outputs.instanceId.value));
      expect(server?.blockDevices.map((b) => [b.source_type, b.destination_type, b.boot_index])).toEqual([
        ["image", "local", 0],
        ["volume", "volume", 1],
      ]);
      expect(server?.userData).toBe(USER_DATA);
      expect((await list(api.cinder, "/volumes/detail", "volumes")).map((v) => v.status)).toEqual(["in-use"]);
      const [fip] = await list(api.neutron, "/floatingips", "floatingips");
      expect(fip.floating_ip_address).toBe(up.outputs.floatingIp.value);
      expect(fip.port_id).toBe(server?.portIds[0]);
      expect(await ingressPorts()).toEqual([22, 22, 443, 443, 80, 80]);
      expect(cloud.unknownCalls).toEqual([]);
    }, 600_000);

    it("an unchanged active run changes nothing", async () => {
      const up = await e.stack.up({ onOutput: e.onOutput });
      expect(up.summary.resourceChanges).not.toHaveProperty("create");
      expect(up.summary.resourceChanges).not.toHaveProperty("delete");
      expect(up.summary.resourceChanges).not.toHaveProperty("update");
    }, 600_000);

    it("a larger volume while active grows it in place, in use (os-extend at microversion 3.42), the server kept", async () => {
      const before = await e.stack.outputs();
      sizeGb = 2;
      const up = await e.stack.up({ onOutput: e.onOutput });
      expect(up.outputs.volumeId.value).toBe(before.volumeId.value);
      expect(up.outputs.instanceId.value).toBe(before.instanceId.value);
      const volumes = await list(api.cinder, "/volumes/detail", "volumes");
      expect(volumes.map((v) => [v.size, v.status])).toEqual([[2, "in-use"]]);
      expect(cloud.unknownCalls).toEqual([]);
    }, 600_000);

    it("back to standby: no server left, the volume kept and available, the floating IP kept and free, no web rule", async () => {
      active = false;
      const { instanceId } = await e.stack.outputs();
      const from = cloud.calls.length;
      const up = await e.stack.up({ onOutput: e.onOutput });
      // The provider's own order: the floating IP freed first, then stopBeforeDestroy's os-stop, then the delete.
      const calls = cloud.calls.slice(from);
      const at = (call: string) => calls.indexOf(call);
      const server = `/compute/v2.1/servers/${instanceId.value}`;
      const [fip] = await list(api.neutron, "/floatingips", "floatingips");
      const freed = at(`PUT /network/v2.0/floatingips/${fip.id}`);
      expect(freed).toBeGreaterThanOrEqual(0);
      expect(freed).toBeLessThan(at(`POST ${server}/action`));
      expect(at(`POST ${server}/action`)).toBeLessThan(at(`DELETE ${server}`));
      expect(await list(api.nova, "/servers/detail", "servers")).toEqual([]);
      const volumes = await list(api.cinder, "/volumes/detail", "volumes");
      expect(volumes.map((v) => [v.id, v.status])).toEqual([[up.outputs.volumeId.value, "available"]]);
      const fips = await list(api.neutron, "/floatingips", "floatingips");
      expect(fips.map((f) => [f.floating_ip_address, f.port_id])).toEqual([[up.outputs.floatingIp.value, null]]);
      expect(await ingressPorts()).toEqual([22, 22]);
      expect(cloud.unknownCalls).toEqual([]);
    }, 600_000);

    it("destroy refuses while the volume and floating IP are protected, and the cloud keeps them", async () => {
      await expect(e.stack.destroy({ onOutput: e.onOutput })).rejects.toThrow(/protected/);
      expect(await list(api.cinder, "/volumes/detail", "volumes")).toHaveLength(1);
      expect(await list(api.neutron, "/floatingips", "floatingips")).toHaveLength(1);
    }, 600_000);

    it("destroy once unprotected: retainOnDelete keeps the volume in the cloud; the rest is deleted", async () => {
      const { volumeId } = await e.stack.outputs();
      await e.cli(["state", "unprotect", "--all", "--yes"]);
      await e.stack.destroy({ onOutput: e.onOutput });
      const volumes = await list(api.cinder, "/volumes/detail", "volumes");
      expect(volumes.map((v) => [v.id, v.status])).toEqual([[volumeId.value, "available"]]);
      expect(await list(api.neutron, "/floatingips", "floatingips")).toEqual([]);
      expect(await list(api.neutron, "/ports", "ports")).toEqual([]);
      expect(await list(api.neutron, "/security-groups", "security_groups")).toEqual([]);
      expect(cloud.store.images.size).toBe(1);
      expect(cloud.unknownCalls).toEqual([]);
    }, 600_000);

    it("neither the cloud's password nor the secret user data reaches the state or the CLI's output", async () => {
      const password = cloud.openrc().OS_PASSWORD;
      expect(password.length).toBeGreaterThan(8);
      for (const text of [await e.stateText(), e.output.join("")]) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(Buffer.from(USER_DATA).toString("base64"));
      }
    });
  },
);
