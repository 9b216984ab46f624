import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client, pollUntil } from "./client";
import { type StandInCloud, startCloud } from "./cloud";

/**
 * The stand-in's API with the calls the openstack provider (gophercloud) makes, in the provider's order:
 * log in, follow the catalog, create, poll until the status the provider waits for, read, delete, poll to 404.
 */
let cloud: StandInCloud;
let api: Client;

beforeEach(async () => {
  cloud = await startCloud({ images: [{ name: "debian-12-pra", file: "/nonexistent", size: 2_000_000_000 }] });
  api = await Client.login(cloud);
});

afterEach(async () => {
  await cloud.close();
});

const endpoint = (type: string) => api.endpoint(type);
const call = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, url, body, headers);

describe("stand-in cloud API", () => {
  it("answers 401 without a token or with a wrong password, and its catalog points at itself", async () => {
    const nova = endpoint("compute");
    expect(new URL(nova).origin).toBe(new URL(cloud.authUrl).origin);
    expect((await fetch(`${nova}/flavors/detail`)).status).toBe(401);
    const wrong = await fetch(`${cloud.authUrl}/auth/tokens`, {
      method: "POST",
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ["password"],
            password: { user: { name: "pra-test", password: "nope", domain: { name: "Default" } } },
          },
        },
      }),
    });
    expect(wrong.status).toBe(401);
    expect(cloud.unknownCalls).toEqual([]);
  });

  it("answers 501 to a call it does not implement, and records it so the test fails", async () => {
    const res = await call("POST", `${endpoint("compute")}/os-keypairs`, { keypair: { name: "k" } });
    expect(res.status).toBe(501);
    expect(res.body.notImplemented.message).toContain("POST /compute/v2.1/os-keypairs");
    expect(cloud.unknownCalls).toEqual([
      { method: "POST", url: "/compute/v2.1/os-keypairs", body: { keypair: { name: "k" } } },
    ]);
    cloud.unknownCalls.length = 0;
  });

  it("fails its close when a 501 went unacknowledged", async () => {
    await call("GET", `${endpoint("network")}/v2.0/routers`);
    await expect(cloud.close()).rejects.toThrow(/does not implement:\n {2}GET \/network\/v2\.0\/routers/);
    cloud.unknownCalls.length = 0;
  });

  // gophercloud parses each service's times with that service's own layout: a "Z" where Cinder (or Nova's
  // launched_at) writes none fails the provider's create ("parsing time …: extra text: \"Z\"").
  it("writes times as each service does: Cinder's and Nova's launched_at with microseconds and no zone", async () => {
    const cinder = endpoint("volumev3");
    const volume = (await call("POST", `${cinder}/volumes`, { volume: { size: 1, name: "t" } })).body.volume;
    expect(volume.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(volume.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const neutron = `${endpoint("network")}/v2.0`;
    const group = (await call("POST", `${neutron}/security-groups`, { security_group: { name: "g" } })).body
      .security_group;
    expect(group.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("takes the standby through its life: network, volume, server with block devices, stop, delete", async () => {
    const neutron = `${endpoint("network")}/v2.0`;
    const cinder = endpoint("volumev3");
    const nova = endpoint("compute");
    const glance = `${endpoint("image")}/v2`;

    // Security group with Neutron's default egress rules, plus SSH from the admin network.
    const group = (
      await call("POST", `${neutron}/security-groups`, { security_group: { name: "pra-sg", description: "d" } })
    ).body.security_group;
    expect(
      group.security_group_rules.map((r: { direction: string; ethertype: string }) => `${r.direction}/${r.ethertype}`),
    ).toEqual(["egress/IPv4", "egress/IPv6"]);
    const ssh = {
      security_group_id: group.id,
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: "10.233.0.0/24",
    };
    expect((await call("POST", `${neutron}/security-group-rules`, { security_group_rule: ssh })).status).toBe(201);
    expect((await call("POST", `${neutron}/security-group-rules`, { security_group_rule: ssh })).status).toBe(409);
    const wrongFamily = { ...ssh, remote_ip_prefix: "::/0" };
    expect((await call("POST", `${neutron}/security-group-rules`, { security_group_rule: wrongFamily })).status).toBe(
      400,
    );

    // getNetwork, the port, the floating IP from the pool (looked up by name, as the provider does).
    const tenant = (await call("GET", `${neutron}/networks?name=pra-tenant`)).body.networks;
    expect(tenant).toHaveLength(1);
    const pool = (await call("GET", `${neutron}/networks?name=public`)).body.networks[0];
    expect(pool["router:external"]).toBe(true);
    const port = (
      await call("POST", `${neutron}/ports`, {
        port: { name: "pra-port", network_id: tenant[0].id, admin_state_up: true, security_groups: [group.id] },
      })
    ).body.port;
    expect(port.status).toBe("DOWN");
    expect(port.fixed_ips[0].ip_address).toMatch(/^10\.232\.0\.\d+$/);
    const fip = (await call("POST", `${neutron}/floatingips`, { floatingip: { floating_network_id: pool.id } })).body
      .floatingip;
    expect(fip).toMatchObject({ status: "DOWN", port_id: null });
    expect(fip.floating_ip_address).toMatch(/^10\.233\.0\.\d+$/);

    // The volume: creating → available.
    const created = await call("POST", `${cinder}/volumes`, { volume: { size: 1, name: "pra-data" } });
    expect(created.status).toBe(202);
    const volumeId: string = created.body.volume.id;
    const volumeStatus = async () => (await call("GET", `${cinder}/volumes/${volumeId}`)).body.volume.status;
    expect(await pollUntil(volumeStatus, "available")).toEqual(["creating", "available"]);

    // getImage by name, most recent first; getFlavor by name from the detailed list.
    const images = (await call("GET", `${glance}/images?name=debian-12-pra&sort=created_at:desc`)).body.images;
    expect(images).toHaveLength(1);
    const flavor = (await call("GET", `${nova}/flavors/detail`)).body.flavors.find(
      (f: { name: string }) => f.name === "m1.small",
    );

    // The server: BUILD → ACTIVE; the volume attaching → in-use; the port ACTIVE.
    const userData = "#cloud-config\nruncmd: [[true]]\n";
    const post = await call(
      "POST",
      `${nova}/servers`,
      {
        server: {
          name: "pra-standby",
          flavorRef: flavor.id,
          imageRef: "",
          networks: [{ port: port.id }],
          user_data: Buffer.from(userData).toString("base64"),
          metadata: { "pra-role": "standby" },
          block_device_mapping_v2: [
            {
              uuid: images[0].id,
              source_type: "image",
              destination_type: "local",
              boot_index: 0,
              delete_on_termination: true,
            },
            {
              uuid: volumeId,
              source_type: "volume",
              destination_type: "volume",
              boot_index: 1,
              delete_on_termination: false,
            },
          ],
        },
      },
      { "X-OpenStack-Nova-API-Version": "2.1" },
    );
    expect(post.status).toBe(202);
    const serverId: string = post.body.server.id;
    expect(cloud.store.servers.get(serverId)?.userData).toBe(userData);
    const serverStatus = async () => (await call("GET", `${nova}/servers/${serverId}`)).body.server.status;
    expect(await pollUntil(serverStatus, "ACTIVE")).toEqual(["BUILD", "ACTIVE"]);
    expect(await pollUntil(volumeStatus, "in-use")).toEqual(["in-use"]);
    const server = (await call("GET", `${nova}/servers/${serverId}`)).body.server;
    expect(server["os-extended-volumes:volumes_attached"]).toEqual([{ id: volumeId, delete_on_termination: false }]);
    expect(server.created).toMatch(/Z$/);
    expect(server["OS-SRV-USG:launched_at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(server.addresses["pra-tenant"][0]).toMatchObject({
      addr: port.fixed_ips[0].ip_address,
      "OS-EXT-IPS:type": "fixed",
    });
    expect((await call("GET", `${neutron}/ports/${port.id}`)).body.port).toMatchObject({
      status: "ACTIVE",
      device_id: serverId,
    });
    // Growing it in use needs microversion 3.42 (the provider's enableOnlineResize sends it): in-use → extending → in-use.
    const extend = { "os-extend": { new_size: 2 } };
    expect((await call("POST", `${cinder}/volumes/${volumeId}/action`, extend)).status).toBe(400);
    const grown = await call("POST", `${cinder}/volumes/${volumeId}/action`, extend, {
      "OpenStack-API-Version": "volume 3.42",
    });
    expect(grown.status).toBe(202);
    expect(await pollUntil(volumeStatus, "in-use")).toEqual(["extending", "in-use"]);
    expect((await call("GET", `${cinder}/volumes/${volumeId}`)).body.volume.size).toBe(2);
    // Tags exist from microversion 2.26 (the provider reads them after every read of the server).
    expect((await call("GET", `${nova}/servers/${serverId}/tags`)).status).toBe(404);
    const tags = await call("GET", `${nova}/servers/${serverId}/tags`, undefined, {
      "X-OpenStack-Nova-API-Version": "2.26",
    });
    expect(tags).toEqual({ status: 200, body: { tags: [] } });
    // An attached volume cannot be deleted.
    expect((await call("DELETE", `${cinder}/volumes/${volumeId}`)).status).toBe(400);

    // Associate the floating IP (FloatingIpAssociate: look it up by address, PUT the port).
    const byAddress = (await call("GET", `${neutron}/floatingips?floating_ip_address=${fip.floating_ip_address}`)).body
      .floatingips;
    expect(byAddress).toHaveLength(1);
    const associated = (await call("PUT", `${neutron}/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }))
      .body.floatingip;
    expect(associated).toMatchObject({
      status: "ACTIVE",
      port_id: port.id,
      fixed_ip_address: port.fixed_ips[0].ip_address,
    });

    // stopBeforeDestroy: os-stop → SHUTOFF, then delete → 404; the volume comes back available.
    expect((await call("POST", `${nova}/servers/${serverId}/action`, { "os-stop": null })).status).toBe(202);
    expect(await pollUntil(serverStatus, "SHUTOFF")).toEqual(["ACTIVE", "SHUTOFF"]);
    expect((await call("DELETE", `${nova}/servers/${serverId}`)).status).toBe(204);
    const gone = async () => {
      const r = await call("GET", `${nova}/servers/${serverId}`);
      return r.status === 404 ? "404" : r.body.server.status;
    };
    expect(await pollUntil(gone, "404")).toEqual(["SHUTOFF", "404"]);
    expect(await volumeStatus()).toBe("available");
    expect((await call("GET", `${neutron}/ports/${port.id}`)).body.port).toMatchObject({
      status: "DOWN",
      device_id: "",
    });

    // Disassociate, then clean up; a group in use by a port cannot go first.
    expect(
      (await call("PUT", `${neutron}/floatingips/${fip.id}`, { floatingip: { port_id: null } })).body.floatingip.status,
    ).toBe("DOWN");
    expect((await call("DELETE", `${neutron}/security-groups/${group.id}`)).status).toBe(409);
    expect((await call("DELETE", `${neutron}/ports/${port.id}`)).status).toBe(204);
    expect((await call("DELETE", `${neutron}/security-groups/${group.id}`)).status).toBe(204);
    expect((await call("DELETE", `${cinder}/volumes/${volumeId}`)).status).toBe(202);
    const volumeGone = async () => {
      const r = await call("GET", `${cinder}/volumes/${volumeId}`);
      return r.status === 404 ? "404" : r.body.volume.status;
    };
    expect(await pollUntil(volumeGone, "404")).toEqual(["deleting", "404"]);
    expect(cloud.unknownCalls).toEqual([]);
  });

  it("refuses a server whose data volume is not available yet, as Nova does", async () => {
    const neutron = `${endpoint("network")}/v2.0`;
    const network = (await call("GET", `${neutron}/networks?name=pra-tenant`)).body.networks[0];
    const port = (await call("POST", `${neutron}/ports`, { port: { network_id: network.id } })).body.port;
    const volume = (await call("POST", `${endpoint("volumev3")}/volumes`, { volume: { size: 1 } })).body.volume;
    const image = [...cloud.store.images.keys()][0];
    const flavor = [...cloud.store.flavors.keys()][0];
    const res = await call("POST", `${endpoint("compute")}/servers`, {
      server: {
        name: "early",
        flavorRef: flavor,
        networks: [{ port: port.id }],
        block_device_mapping_v2: [
          { uuid: image, source_type: "image", destination_type: "local", boot_index: 0 },
          { uuid: volume.id, source_type: "volume", destination_type: "volume", boot_index: 1 },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toContain("status must be available, but current status is: creating");
    expect(cloud.unknownCalls).toEqual([]);
  });
});
