import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../lab/proc";
import { buildConfigDrive } from "./real/configDrive";
import { MovingStatus, Store } from "./store";

/** The config drive as Nova lays it out, which cloud-init's ConfigDrive datasource reads (the boot test proves it). */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pra-config-drive-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("stand-in config drive", () => {
  it("carries the instance id, the user data as given and the port's static address, on an ISO labelled config-2", async () => {
    const store = new Store();
    const network = store.addNetwork({ name: "t", cidr: "10.232.0.0/24", gateway: "10.232.0.1", external: false });
    const port = {
      id: "0123456789ab-port",
      name: "p",
      networkId: network.id,
      mac: "fa:16:3e:00:00:02",
      fixedIp: store.allocateAddress(network),
      securityGroupIds: [],
      adminStateUp: true,
      deviceId: "s1",
      created_at: "",
    };
    store.ports.set(port.id, port);
    const userData = "#cloud-config\nusers: []\n";
    const server = {
      id: "9f8e7d6c-0000-4000-8000-000000000001",
      name: "pra-standby-server",
      flavorId: "f",
      imageId: "i",
      portIds: [port.id],
      blockDevices: [],
      userData,
      metadata: { "pra-role": "standby" },
      availabilityZone: "nova",
      status: new MovingStatus("BUILD"),
      taskState: "spawning",
      created_at: "",
    };
    const iso = join(dir, "cd.iso");
    await buildConfigDrive(server, store, join(dir, "tree"), iso);

    const latest = join(dir, "tree", "openstack", "latest");
    expect(JSON.parse(await readFile(join(latest, "meta_data.json"), "utf8"))).toMatchObject({
      uuid: server.id,
      hostname: server.name,
      meta: { "pra-role": "standby" },
    });
    expect(await readFile(join(latest, "user_data"), "utf8")).toBe(userData);
    const net = JSON.parse(await readFile(join(latest, "network_data.json"), "utf8"));
    expect(net.links).toEqual([
      { id: "tap0123456789a", vif_id: port.id, type: "ovs", mtu: 1500, ethernet_mac_address: port.mac },
    ]);
    expect(net.networks[0]).toMatchObject({
      type: "ipv4",
      link: "tap0123456789a",
      ip_address: "10.232.0.10",
      netmask: "255.255.255.0",
      routes: [{ network: "0.0.0.0", netmask: "0.0.0.0", gateway: "10.232.0.1" }],
    });
    expect((await run(["blkid", "-p", "-o", "value", "-s", "LABEL", iso])).stdout.trim()).toBe("config-2");
  });
});
