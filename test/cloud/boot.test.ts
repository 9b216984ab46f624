import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCloudConfig } from "../../components/cloudConfig";
import { newEd25519Key } from "../lab/keys";
import { run, sleep } from "../lab/proc";
import { Client, pollUntil } from "./client";
import {
  ADMIN_ADDRESS,
  type BootedCloud,
  GUEST_IMAGE_NAME,
  STRANGER_ADDRESS,
  startBootedCloud,
} from "./real/bootedCloud";
import { sshFromOutside, webFromOutside } from "./real/outside";
import { volumeSerial } from "./real/realEffects";

/**
 * A real server through the stand-in's API: a qemu guest of the Debian 12 image boots with PRA's own
 * cloud-config (the pinned host key, the sync user, the first-boot script that formats and mounts the data
 * volume), reached by SSH from outside through its floating IP, with the security group enforced.
 * Slow: the image is built once (cached), then one TCG boot (about 80 s to cloud-init done).
 */
const USER = "pra";
let cloud: BootedCloud;
let api: Client;
let keys: string;
let knownHosts: string;
let clientKey: string;
let fip: { id: string; floating_ip_address: string };
let portId: string;
let groupId: string;
let volumeId: string;
let serverId: string;

beforeAll(async () => {
  cloud = await startBootedCloud((line) => process.stderr.write(`${line}\n`));
  api = await Client.login(cloud);
  keys = await mkdtemp(join(tmpdir(), "pra-cloud-keys-"));
}, 3_600_000);

afterAll(async () => {
  await cloud?.close();
  if (keys) await rm(keys, { recursive: true, force: true });
});

/** ssh from the outside namespace, from `source`, pinned to the guest's host key. */
const ssh = (source: string, command: string, timeoutS = 5) =>
  sshFromOutside(
    {
      floatingIp: fip.floating_ip_address,
      sshUser: USER,
      hostKeyAlias: "pra-standby",
      knownHostsFile: knownHosts,
      keyFile: clientKey,
    },
    source,
    command,
    timeoutS,
  );

describe("a booted server in the stand-in cloud", () => {
  it("boots with PRA's user data through the API: ACTIVE, cloud-init done over SSH, the volume by its serial", async () => {
    const hostKey = await newEd25519Key(keys, "host");
    const client = await newEd25519Key(keys, "client");
    clientKey = join(keys, "client");
    knownHosts = join(keys, "known_hosts");

    const group = (await api.call("POST", `${api.neutron}/security-groups`, { security_group: { name: "pra-sg" } }))
      .body.security_group;
    groupId = group.id;
    const ssh22 = {
      security_group_id: groupId,
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      port_range_min: 22,
      port_range_max: 22,
    };
    expect(
      (
        await api.call("POST", `${api.neutron}/security-group-rules`, {
          security_group_rule: { ...ssh22, remote_ip_prefix: `${ADMIN_ADDRESS}/32` },
        })
      ).status,
    ).toBe(201);
    const network = (await api.call("GET", `${api.neutron}/networks?name=pra-tenant`)).body.networks[0];
    const pool = (await api.call("GET", `${api.neutron}/networks?name=public`)).body.networks[0];
    portId = (
      await api.call("POST", `${api.neutron}/ports`, { port: { network_id: network.id, security_groups: [groupId] } })
    ).body.port.id;
    fip = (await api.call("POST", `${api.neutron}/floatingips`, { floatingip: { floating_network_id: pool.id } })).body
      .floatingip;
    await writeFile(knownHosts, `pra-standby ${hostKey.publicKey}\n`);

    volumeId = (await api.call("POST", `${api.cinder}/volumes`, { volume: { size: 1, name: "pra-data" } })).body.volume
      .id;
    const volumeStatus = async () => (await api.call("GET", `${api.cinder}/volumes/${volumeId}`)).body.volume.status;
    expect(await pollUntil(volumeStatus, "available")).toEqual(["creating", "available"]);

    const image = (await api.call("GET", `${api.glance}/images?name=${GUEST_IMAGE_NAME}`)).body.images[0];
    const flavor = (await api.call("GET", `${api.nova}/flavors/detail`)).body.flavors[0];
    const userData = renderCloudConfig({
      hostKey,
      user: USER,
      authorizedKeys: [client.publicKey],
      dataVolumeId: volumeId,
    });
    const created = await api.call("POST", `${api.nova}/servers`, {
      server: {
        name: "pra-standby-server",
        flavorRef: flavor.id,
        networks: [{ port: portId }],
        user_data: Buffer.from(userData).toString("base64"),
        block_device_mapping_v2: [
          {
            uuid: image.id,
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
    });
    expect(created.status).toBe(202);
    serverId = created.body.server.id;
    const serverStatus = async () => (await api.call("GET", `${api.nova}/servers/${serverId}`)).body.server.status;
    expect(await pollUntil(serverStatus, "ACTIVE", 120_000)).toEqual(["BUILD", "ACTIVE"]);
    expect(await volumeStatus()).toBe("in-use");
    const associated = await api.call("PUT", `${api.neutron}/floatingips/${fip.id}`, {
      floatingip: { port_id: portId },
    });
    expect(associated.body.floatingip.status).toBe("ACTIVE");

    // SSH answers once the guest's sshd runs with the pinned key; cloud-init then finishes its modules.
    let login = await ssh(ADMIN_ADDRESS, "true");
    for (let i = 0; login.code !== 0 && i < 120; i++) {
      await sleep(5_000);
      login = await ssh(ADMIN_ADDRESS, "true");
    }
    expect(login.code, `${login.stderr}\nconsole:\n${await consoleTail()}`).toBe(0);
    const status = await ssh(ADMIN_ADDRESS, "sudo cloud-init status --wait; sudo cloud-init status --long", 30);
    expect(status.stdout, status.stderr).toMatch(/status: (done|error)/);
    const boot = await ssh(
      ADMIN_ADDRESS,
      "test -f /var/lib/pra/boot-done && ! test -e /var/lib/pra/boot-failed && findmnt -no SOURCE,FSTYPE /srv/pra",
    );
    const output = async () =>
      (await ssh(ADMIN_ADDRESS, "sudo tail -40 /var/log/cloud-init-output.log; sudo cat /var/lib/pra/boot-failed"))
        .stdout;
    expect(boot.stdout.trim(), await output()).toBe("/dev/vdb ext4");
    const byId = await ssh(ADMIN_ADDRESS, `readlink -f /dev/disk/by-id/virtio-${volumeSerial(volumeId)}`);
    expect(byId.stdout.trim()).toBe("/dev/vdb");
  }, 1_200_000);

  it("enforces the security group: SSH only from the admin address, web only once a rule allows it", async () => {
    expect((await ssh(STRANGER_ADDRESS, "true")).code).toBe(255);
    // Apache listens in the guest, but no rule lets port 80 in: the connection times out (dropped, as Neutron does).
    expect(await webFromOutside(fip.floating_ip_address, 80)).toBe("curl exit 28");
    const rule = await api.call("POST", `${api.neutron}/security-group-rules`, {
      security_group_rule: {
        security_group_id: groupId,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        port_range_min: 80,
        port_range_max: 80,
        remote_ip_prefix: "0.0.0.0/0",
      },
    });
    expect(rule.status).toBe(201);
    expect(await webFromOutside(fip.floating_ip_address, 80)).toBe("200");
    expect(
      (await api.call("DELETE", `${api.neutron}/security-group-rules/${rule.body.security_group_rule.id}`)).status,
    ).toBe(204);
    expect(await webFromOutside(fip.floating_ip_address, 80)).toBe("curl exit 28");
  }, 120_000);

  it("reaches the guest through the floating IP only while it is associated", async () => {
    await api.call("PUT", `${api.neutron}/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    expect((await ssh(ADMIN_ADDRESS, "true")).code).toBe(255);
    await api.call("PUT", `${api.neutron}/floatingips/${fip.id}`, { floatingip: { port_id: portId } });
    expect((await ssh(ADMIN_ADDRESS, "true")).code).toBe(0);
  }, 120_000);

  it("stops and deletes the server as Nova does, leaving the volume available and no guest behind", async () => {
    expect((await api.call("POST", `${api.nova}/servers/${serverId}/action`, { "os-stop": null })).status).toBe(202);
    const serverStatus = async () => {
      const r = await api.call("GET", `${api.nova}/servers/${serverId}`);
      return r.status === 404 ? "404" : r.body.server.status;
    };
    expect(await pollUntil(serverStatus, "SHUTOFF", 120_000)).toEqual(["ACTIVE", "SHUTOFF"]);
    // The guest shut down on the ACPI power button (MariaDB stopped cleanly), not destroyed after the timeout.
    expect(cloud.effects.stops.get(serverId)).toBe("off");
    expect((await api.call("DELETE", `${api.nova}/servers/${serverId}`)).status).toBe(204);
    expect(await pollUntil(serverStatus, "404", 60_000)).toEqual(["SHUTOFF", "404"]);
    expect((await api.call("GET", `${api.cinder}/volumes/${volumeId}`)).body.volume.status).toBe("available");
    expect(cloud.effects.guest(serverId)).toBeUndefined();
    const left = await run(["ip", "netns", "pids", "pra-cloud"]);
    expect(left.stdout.trim()).toBe("");
    expect(cloud.unknownCalls).toEqual([]);
  }, 300_000);
});

async function consoleTail(): Promise<string> {
  try {
    return (await readFile(join(cloud.effects.serverDir(serverId), "console.log"), "utf8"))
      .split("\n")
      .slice(-60)
      .join("\n");
  } catch {
    return "(no console log)";
  }
}
