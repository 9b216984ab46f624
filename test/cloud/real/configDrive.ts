import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../lab/proc";
import { PROJECT, type Server, type Store } from "../store";
import { tapName } from "./firewall";

/**
 * The config drive Nova builds (iso9660, volume label config-2): openstack/latest/meta_data.json,
 * user_data and network_data.json with the port's static address, which is how cloud-init's ConfigDrive
 * datasource finds the instance id, the user data and the network.
 */
export async function buildConfigDrive(server: Server, store: Store, dir: string, isoPath: string): Promise<void> {
  const latest = join(dir, "openstack", "latest");
  await mkdir(latest, { recursive: true });
  const links = [];
  const networks = [];
  for (const [i, portId] of server.portIds.entries()) {
    const port = store.ports.get(portId);
    const network = port && store.networks.get(port.networkId);
    if (!port || !network) throw new Error(`server ${server.id}: port ${portId} or its network is gone`);
    links.push({ id: tapName(port.id), vif_id: port.id, type: "ovs", mtu: 1500, ethernet_mac_address: port.mac });
    networks.push({
      id: `network${i}`,
      type: "ipv4",
      link: tapName(port.id),
      ip_address: port.fixedIp,
      netmask: "255.255.255.0",
      routes: i === 0 ? [{ network: "0.0.0.0", netmask: "0.0.0.0", gateway: network.gateway }] : [],
      network_id: network.id,
      services: [],
    });
  }
  const metaData = {
    uuid: server.id,
    meta: server.metadata,
    hostname: server.name,
    name: server.name,
    launch_index: 0,
    availability_zone: server.availabilityZone,
    project_id: PROJECT.id,
    devices: [],
  };
  await writeFile(join(latest, "meta_data.json"), JSON.stringify(metaData));
  await writeFile(join(latest, "network_data.json"), JSON.stringify({ links, networks, services: [] }));
  await writeFile(join(latest, "vendor_data.json"), "{}");
  if (server.userData !== null) await writeFile(join(latest, "user_data"), server.userData, { mode: 0o600 });
  await run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "config-2", "-J", "-r", "-o", isoPath, dir]);
}
